"""Starts the real `recourse` binary with each Deployment's environment from
the manifests, to prove the binary accepts every RECOURSE__* key they set.

    python3 k8s/check_config.py RECOURSE_BINARY [RENDERED.yaml]

The config loader refuses unknown keys and every pod gets the whole shared
recourse-config, so one key the binary does not know (a renamed setting, a
typo) would stop every service from starting. For each Recourse Deployment
of the render (default: the dev overlay), this runs `recourse serve
<service>` with the container's env: ConfigMap keys and literal values as
rendered, Secret references replaced by harmless stand-ins (a database on
127.0.0.1:9, where nothing listens, and a 32-byte token secret), and the
listen address moved to 127.0.0.1:0. A configuration error fails the check
and names the key; getting past configuration to the database connection
passes.

Keys and services of work not merged yet are excused only while the binary
lacks the service they belong to: while `recourse serve gateway` is refused
as an unknown service, RECOURSE__GATEWAY__* keys are not required to load
(reporting's were excused the same way until `serve reporting` existed).
Once the binary has the service, its keys must load, so a key named
differently in the code fails here with its name.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
# Keys that belong to a service still being built elsewhere: excused only
# while the binary does not know that service.
PENDING = {
    "gateway": [re.compile(r"^RECOURSE__GATEWAY__")],
}
STAND_INS = {
    "RECOURSE__DATABASE__URL": "postgres://check@127.0.0.1:9/check",
    "RECOURSE__AUTH__TOKEN_SECRET": "check-config-only-not-a-real-secret!",
}


def run(binary, service, env, timeout=30):
    try:
        done = subprocess.run([binary, "serve", service], env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "still running after the configuration was loaded"
    return done.returncode, done.stderr + done.stdout


def knows_service(binary, service):
    _, out = run(binary, service, {"PATH": "/usr/bin:/bin"}, timeout=10)
    return not re.search(rf"invalid value '{service}'", out)


def offending_keys(out, env):
    """The env vars a configuration error points at."""
    field = re.search(r"unknown field `([^`]+)`[^\n]*", out)
    if field:
        section = re.search(r"for key `([^`]+)`", field.group(0))
        name, section = field.group(1), section.group(1) if section else None
        prefix = "RECOURSE__" + (f"{section}__{name}" if section else name).replace(".", "__").upper()
        return [k for k in env if k == prefix or k.startswith(prefix + "__")] or [prefix]
    key = re.search(r"configuration key `([^`]+)`", out)
    if key:
        return ["RECOURSE__" + key.group(1).replace(".", "__").upper()]
    return ["(unparsed) " + out.strip().splitlines()[-1] if out.strip() else "(no output)"]


def deployment_env(doc, maps):
    env = {"PATH": "/usr/bin:/bin"}
    container = doc["spec"]["template"]["spec"]["containers"][0]
    for source in container.get("envFrom", []):
        env.update(maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        elif item["name"] in STAND_INS:
            env[item["name"]] = STAND_INS[item["name"]]
        else:
            raise ValueError(f"{doc['metadata']['name']}: no stand-in for {item['name']}")
    env["RECOURSE__SERVER__LISTEN"] = "127.0.0.1:0"
    env["RECOURSE__DATABASE__CONNECT_TIMEOUT_SECONDS"] = "2"
    return env


def check(binary, docs, quiet=False):
    say = (lambda *_: None) if quiet else print
    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    built = {service: knows_service(binary, service) for service in PENDING}
    bad = []
    with tempfile.TemporaryDirectory() as cwd:
        for doc in docs:
            if doc["kind"] != "Deployment" or doc["metadata"]["labels"].get("app.kubernetes.io/name") != "recourse":
                continue
            service = doc["metadata"]["labels"]["app.kubernetes.io/component"]
            if not built.get(service, True):
                say(f"pending {service}: `recourse serve {service}` is not in this binary yet; its Deployment is not checked")
                continue
            env = deployment_env(doc, maps)
            env["RECOURSE__DATABASE__DATA_DIR"] = cwd
            excused, failed = [], None
            while True:
                code, out = run(binary, service, env)
                if code is None:
                    break
                if "configuration" not in out:
                    # Past the configuration: it must have stopped at the
                    # stand-in database, not at anything else.
                    if not re.search(r"(?i)connection|database|pool", out):
                        failed = f"{service}: stopped after loading its configuration, not at the database: {out.strip()[-300:]}"
                    break
                keys = offending_keys(out, env)
                pending = [k for k in keys for owner, patterns in PENDING.items()
                           if not built[owner] and any(p.search(k) for p in patterns)]
                if not pending or len(pending) != len(keys):
                    failed = f"{service}: the binary refuses {keys}: {out.strip().splitlines()[-1].strip()}"
                    break
                excused += pending
                for k in pending:
                    env.pop(k, None)
            if failed:
                bad.append(failed)
            note = f" (excused until their service is built: {', '.join(sorted(excused))})" if excused else ""
            say(f"{'FAIL' if failed else 'ok  '} {service}: the binary loads the Deployment's "
                f"{sum(k.startswith('RECOURSE__') for k in env)} RECOURSE__ keys{note}")
    return bad


def main(argv):
    binary = argv[0]
    if len(argv) > 1:
        docs = [d for d in yaml.safe_load_all(Path(argv[1]).read_text()) if d]
    else:
        out = subprocess.run(["kubectl", "kustomize", str(HERE / "overlays" / "dev")],
                             check=True, capture_output=True, text=True).stdout
        docs = [d for d in yaml.safe_load_all(out) if d]
    # Self-test first: a key the binary cannot know must fail the check.
    broken = [dict(d) for d in docs]
    for d in broken:
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("recourse-config"):
            d["data"] = {**d["data"], "RECOURSE__SERVER__LISTEN_ADDRESS": "0.0.0.0:50051"}
    if not check(binary, broken, quiet=True):
        print("FAIL self-test: an unknown key in recourse-config was not caught")
        return 1
    bad = check(binary, docs)
    for line in bad:
        print("ERROR", line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
