#!/usr/bin/env bash
# Renders each overlay with kustomize and validates the result against the
# Kubernetes OpenAPI schemas (kubernetes-validate ships them; no cluster or
# network needed beyond installing it). Without kustomize it validates the
# raw manifests instead. Safe to run repeatedly; changes nothing but, once,
# installs kubernetes-validate with pip.
#
#   k8s/validate.sh                      # against Kubernetes 1.30
#   K8S_VERSIONS="1.30 1.33" k8s/validate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
read -r -a versions <<<"${K8S_VERSIONS:-1.30}"

if ! python3 -c 'import kubernetes_validate' 2>/dev/null; then
  echo "installing kubernetes-validate"
  python3 -m pip install --quiet 'kubernetes-validate>=1.30,<2'
fi

# `kustomize build`, else kubectl's built-in `kubectl kustomize`, else none.
render=()
if command -v kustomize >/dev/null 2>&1; then
  render=(kustomize build)
elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  render=(kubectl kustomize)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Validates the files given; fails on errors and also on warnings, since a
# warning means a kind had no schema and was not checked at all.
validate() {
  local args=(--strict --quiet) v
  for v in "${versions[@]}"; do args+=(-k "$v"); done
  local out rc=0
  out="$(python3 -m kubernetes_validate "${args[@]}" "$@" 2>&1)" || rc=$?
  [[ -n "$out" ]] && printf '%s\n' "$out"
  [[ $rc -eq 0 && "$out" != *WARN* ]]
}

# Rules the schemas cannot express, checked on rendered output.
check_rules() {
  python3 - "$@" <<'PY'
import base64, os, sys, yaml
bad = []
for path in sys.argv[1:]:
    where = os.path.basename(path)
    for doc in yaml.safe_load_all(open(path)):
        if not doc:
            continue
        kind, name = doc["kind"], doc["metadata"]["name"]
        if kind == "Secret":
            token = doc.get("data", {}).get("token-secret")
            if token is not None and len(base64.b64decode(token)) < 32:
                bad.append(f"{where}: {name}: token-secret shorter than 32 bytes")
        if kind != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        for c in pod["containers"]:
            first = c["image"].split("/")[0]
            if "/" in c["image"] and ("." in first or ":" in first or first == "localhost"):
                # Committed manifests name no registry; set it at deploy time.
                bad.append(f"{where}: {name}: image {c['image']} names a registry host")
            env = {e["name"]: e.get("value") for e in c.get("env", [])}
            drain = int(env.get("RECOURSE__SERVER__DRAIN_DELAY_MS") or 0) / 1000
            grace = int(env.get("RECOURSE__SERVER__SHUTDOWN_GRACE_SECONDS") or 30)
            if pod.get("terminationGracePeriodSeconds", 30) <= drain + grace:
                bad.append(f"{where}: {name}: terminationGracePeriodSeconds must exceed drain delay + shutdown grace")
for line in bad:
    print("ERROR", line)
sys.exit(1 if bad else 0)
PY
}

status=0
if ((${#render[@]})); then
  echo "rendering with: ${render[*]}"
  for overlay in "$here"/overlays/*/; do
    name="$(basename "$overlay")"
    out="$work/$name.yaml"
    "${render[@]}" "$overlay" >"$out"
    count="$(grep -c '^kind:' "$out" || true)"
    if validate "$out" && check_rules "$out"; then
      echo "ok   overlays/$name ($count resources, Kubernetes ${versions[*]})"
    else
      echo "FAIL overlays/$name"
      status=1
    fi
  done
else
  # Raw files: every manifest except kustomization.yaml (patches are inlined
  # there, so every other file is a complete resource).
  echo "kustomize not found (neither kustomize nor kubectl): validating raw manifests"
  mapfile -t files < <(find "$here/base" "$here/overlays" -name '*.yaml' ! -name kustomization.yaml | sort)
  if validate "${files[@]}"; then
    echo "ok   ${#files[@]} raw manifests (Kubernetes ${versions[*]})"
  else
    echo "FAIL raw manifests"
    status=1
  fi
fi
exit "$status"
