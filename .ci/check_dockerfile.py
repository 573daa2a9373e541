"""Checks the invariants of the repository's Dockerfile that no linter knows.

No Docker engine is needed (none exists on the CI machines), so this reads the
Dockerfile as text and compares it with what cargo says about the workspace:

- the builder's Rust version is the channel pinned in rust-toolchain.toml;
- builder and runtime are the same Debian release (glibc compatibility);
- the builder runs `cargo build --release --locked` for package `recourse`
  and its bin target `recourse` (the names come from `cargo metadata`);
- the runtime stage copies exactly one file, and it is that release binary:
  `<builder workdir>/<target dir>/release/<bin>`, into /usr/local/bin;
- the runtime runs as numeric `USER 65532:65532` and its ENTRYPOINT is
  exactly `["recourse"]`;
- .dockerignore keeps target/, data/ and .git out of the build context.

`--self-test` breaks each invariant in turn and proves the check notices.

    python3 .ci/check_dockerfile.py [--self-test]
"""

import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_RELEASES = {"bookworm": "12", "trixie": "13", "forky": "14"}
PACKAGE = "recourse"
RUNTIME_USER = "65532:65532"


def instructions(text):
    """(keyword, argument) pairs, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, arg = line.partition(" ")
        out.append((keyword.upper(), arg.strip()))
    return out


def stages(text):
    """Global ARG defaults and the stages in order: name, image, instructions."""
    args, found = {}, []
    for keyword, arg in instructions(text):
        if keyword == "ARG" and not found:
            name, _, default = arg.partition("=")
            args[name] = default
        elif keyword == "FROM":
            image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), arg)
            parts = image.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            found.append({"name": name, "image": parts[0], "body": []})
        elif found:
            found[-1]["body"].append((keyword, arg))
    return args, found


def workdir(stage_by_name, stage):
    """The last WORKDIR of a stage, following `FROM <earlier stage>`."""
    for keyword, arg in reversed(stage["body"]):
        if keyword == "WORKDIR":
            return arg
    parent = stage_by_name.get(stage["image"])
    return workdir(stage_by_name, parent) if parent else "/"


def cargo_facts():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    package = next(p for p in meta["packages"] if p["name"] == PACKAGE)
    bins = [t["name"] for t in package["targets"] if "bin" in t["kind"]]
    target = Path(meta["target_directory"]).relative_to(Path(meta["workspace_root"]))
    channel = tomllib.loads((ROOT / "rust-toolchain.toml").read_text())["toolchain"]["channel"]
    return {"bins": bins, "target_dir": str(target), "channel": channel}


def check(dockerfile, dockerignore, facts):
    """Every broken invariant, as a message; empty when all hold."""
    bad = []
    args, found = stages(dockerfile)
    if len(found) < 2:
        return ["expected a multi-stage build (builder + runtime)"]
    by_name = {s["name"]: s for s in found if s["name"]}

    if args.get("RUST_VERSION") != facts["channel"]:
        bad.append(f"ARG RUST_VERSION={args.get('RUST_VERSION')} but rust-toolchain.toml pins {facts['channel']}")
    rust = [s for s in found if re.search(r"(^|/)rust:", s["image"])]
    if not rust or not all(s["image"].split(":", 1)[1].startswith(facts["channel"] + "-") for s in rust):
        bad.append("the build stage must start FROM rust:<pinned channel>-...")

    builder = by_name.get("builder")
    runtime = found[-1]
    if builder is None:
        return bad + ["no stage named `builder`"]

    build_runs = [shlex.split(arg) for keyword, arg in builder["body"] if keyword == "RUN" and "cargo build" in arg]
    bin_name = None
    for words in build_runs:
        words = [w for w in words if w != "&&"]
        has = lambda *flags: any(f in words for f in flags)  # noqa: E731
        package = words[words.index("--package") + 1] if "--package" in words else (
            words[words.index("-p") + 1] if "-p" in words else None)
        if has("--release") and has("--locked") and package == PACKAGE and "--bin" in words:
            bin_name = words[words.index("--bin") + 1]
    if bin_name is None:
        bad.append(f"builder must RUN cargo build --release --locked --package {PACKAGE} --bin <bin>")
    elif bin_name not in facts["bins"]:
        bad.append(f"--bin {bin_name} is not a bin target of package {PACKAGE} (has {facts['bins']})")

    copies = [arg for keyword, arg in runtime["body"] if keyword in ("COPY", "ADD")]
    expected = f"{workdir(by_name, builder).rstrip('/')}/{facts['target_dir']}/release/{bin_name}"
    if len(copies) != 1:
        bad.append(f"the runtime stage must copy exactly one file (the binary), copies {len(copies)}")
    else:
        words = shlex.split(copies[0])
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        if "--from=builder" not in flags:
            bad.append("the runtime stage must COPY --from=builder")
        if paths[:-1] != [expected]:
            bad.append(f"the runtime stage copies {paths[:-1]}, not the release binary {expected}")
        if paths[-1:] != [f"/usr/local/bin/{PACKAGE}"]:
            bad.append(f"the binary must land at /usr/local/bin/{PACKAGE} (on PATH), not {paths[-1:]}")

    users = [arg for keyword, arg in runtime["body"] if keyword == "USER"]
    if not users or users[-1] != RUNTIME_USER:
        bad.append(f"the runtime stage must end as USER {RUNTIME_USER} (numeric), has {users}")
    entrypoints = [arg for keyword, arg in runtime["body"] if keyword == "ENTRYPOINT"]
    try:
        entry = json.loads(entrypoints[-1]) if entrypoints else None
    except json.JSONDecodeError:
        entry = entrypoints[-1]
    if entry != [PACKAGE]:
        bad.append(f'ENTRYPOINT must be ["{PACKAGE}"] (exec form), is {entry}')

    codename = args.get("DEBIAN_CODENAME")
    release = DEBIAN_RELEASES.get(codename or "")
    if not release or not any(s["image"].endswith(f"-{codename}") for s in rust):
        bad.append(f"the Rust image must be the -{codename} variant of a known Debian release")
    elif not re.search(rf"-debian{release}(:|$)", runtime["image"]):
        bad.append(f"runtime {runtime['image']} is not Debian {release} ({codename}), the builder's release")

    ignored = {line.strip().rstrip("/") for line in dockerignore.splitlines()}
    for required in ("target", "data", ".git"):
        if required not in ignored:
            bad.append(f".dockerignore must exclude {required}")
    return bad


def self_test(dockerfile, dockerignore, facts):
    """Each mutation breaks one invariant; the check must report every one."""
    mutations = {
        "non-numeric user": ("USER 65532:65532", "USER nonroot"),
        "root user": ("USER 65532:65532", "USER 0:0"),
        "shell entrypoint": ('ENTRYPOINT ["recourse"]', 'ENTRYPOINT ["/bin/sh", "-c", "recourse"]'),
        "debug binary": ("/src/target/release/recourse", "/src/target/debug/recourse"),
        "other toolchain": ("ARG RUST_VERSION=" + facts["channel"], "ARG RUST_VERSION=1.80.0"),
        "older runtime": ("cc-debian13", "cc-debian12"),
        "debug build": ("cargo build --release --locked", "cargo build --locked"),
        "unknown bin": ("--bin recourse", "--bin recourse-server"),
        "extra file": ("USER 65532:65532", "COPY --from=builder /src/Cargo.lock /\nUSER 65532:65532"),
    }
    failures = 0
    for name, (old, new) in mutations.items():
        if old not in dockerfile:
            print(f"self-test: cannot apply `{name}`: `{old}` not in the Dockerfile")
            failures += 1
            continue
        caught = check(dockerfile.replace(old, new, 1), dockerignore, facts)
        print(f"self-test: {name}: {'caught' if caught else 'NOT CAUGHT'}")
        failures += not caught
    if check(dockerfile, dockerignore.replace("\ntarget\n", "\n"), facts) == []:
        print("self-test: unignored target/: NOT CAUGHT")
        failures += 1
    return failures


def main():
    dockerfile = (ROOT / "Dockerfile").read_text()
    dockerignore = (ROOT / ".dockerignore").read_text()
    facts = cargo_facts()
    if "--self-test" in sys.argv[1:]:
        sys.exit(1 if self_test(dockerfile, dockerignore, facts) else 0)
    bad = check(dockerfile, dockerignore, facts)
    for line in bad:
        print("ERROR Dockerfile:", line)
    if not bad:
        print(f"ok   Dockerfile: rust {facts['channel']}, copies {facts['target_dir']}/release/{', '.join(facts['bins'])}, USER {RUNTIME_USER}, ENTRYPOINT [\"{PACKAGE}\"]")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
