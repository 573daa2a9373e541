#!/usr/bin/env bash
# Renders every overlay with every combination of the optional components,
# then checks what they produce, offline (no cluster, no network beyond
# installing the pinned tools of .ci/requirements-tools.txt once):
#
#   1. every combination renders (kustomize build, or kubectl kustomize);
#   2. k8s/check_manifests.py: custom resources against the CRD schemas
#      vendored in k8s/schemas/ (strict), and the rules no schema knows
#      (drain timings, token length, registry-free images, one ServiceAccount
#      per service, the NetworkPolicy call graph, upstream URLs, the
#      collector's pipelines);
#   3. kubernetes-validate --strict on every distinct built-in resource any
#      combination produced (a kind without a schema fails too);
#   4. checkov --framework kubernetes on each render; a skipped check is
#      justified in place (k8s/.checkov.yaml or a checkov.io/skip annotation).
#
#   k8s/validate.sh                      # against Kubernetes 1.30
#   K8S_VERSIONS="1.30 1.33" k8s/validate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
read -r -a versions <<<"${K8S_VERSIONS:-1.30}"
# shellcheck source=../.ci/python-tools.sh
source "$here/../.ci/python-tools.sh"

if command -v kustomize >/dev/null 2>&1; then
  render=(kustomize build)
elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  render=(kubectl kustomize)
else
  echo "FAIL: neither kustomize nor kubectl is installed; the overlays cannot be rendered" >&2
  exit 1
fi

# Components that only make sense on top of another.
declare -A requires=([otel-backend]=otel-collector)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/renders"

mapfile -t components < <(find "$here/components" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
status=0
count=0
for overlay in "$here"/overlays/*/; do
  overlay="${overlay%/}"
  name="$(basename "$overlay")"
  namespace="$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("namespace", ""))' "$overlay/kustomization.yaml")"
  for ((mask = 0; mask < (1 << ${#components[@]}); mask++)); do
    chosen=()
    for i in "${!components[@]}"; do
      ((mask & (1 << i))) && chosen+=("${components[$i]}")
    done
    skip=0
    for c in "${chosen[@]}"; do
      need="${requires[$c]:-}"
      [[ -n "$need" && " ${chosen[*]} " != *" $need "* ]] && skip=1
    done
    ((skip)) && continue
    # Components apply in the order listed: prerequisites first.
    ordered=()
    for c in "${chosen[@]}"; do [[ -z "${requires[$c]:-}" ]] && ordered+=("$c"); done
    for c in "${chosen[@]}"; do [[ -n "${requires[$c]:-}" ]] && ordered+=("$c"); done
    chosen=("${ordered[@]}")
    # A wrapper kustomization, as an operator would write in an overlay:
    # the overlay plus the components, in the overlay's namespace.
    label="$name${chosen[*]:++$(IFS=+; echo "${chosen[*]}")}"
    dir="$work/combo/$label"
    mkdir -p "$dir"
    rel="$(python3 -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' "$here" "$dir")"
    {
      echo "apiVersion: kustomize.config.k8s.io/v1beta1"
      echo "kind: Kustomization"
      [[ -n "$namespace" ]] && echo "namespace: $namespace"
      echo "resources: [$rel/overlays/$name]"
      ((${#chosen[@]})) && echo "components:"
      for c in "${chosen[@]}"; do echo "  - $rel/components/$c"; done
    } >"$dir/kustomization.yaml"
    if ! "${render[@]}" "$dir" >"$work/renders/$label.yaml" 2>"$work/render.err"; then
      echo "FAIL render $label"
      cat "$work/render.err"
      rm -f "$work/renders/$label.yaml"
      status=1
      continue
    fi
    count=$((count + 1))
  done
done
echo "ok   rendered $count combinations of overlays (${#components[@]} optional components) with: ${render[*]}"

# The checks must catch what they are for: dev with every component (dev,
# because it also generates the Secrets), broken in each way they look
# for, fails every time.
fullest="$(ls -S "$work"/renders/dev+*.yaml | head -1)"
python3 "$here/check_manifests.py" --self-test "$fullest" "$work/mutated.yaml" || status=1
python3 "$here/check_manifests.py" --builtin-out "$work/builtin.yaml" "$work"/renders/*.yaml || status=1

args=(--strict --quiet)
for v in "${versions[@]}"; do args+=(-k "$v"); done
rc=0
out="$(kubernetes-validate "${args[@]}" "$work/builtin.yaml" 2>&1)" || rc=$?
[[ -n "$out" ]] && printf '%s\n' "$out"
# A warning means a kind had no schema and was not checked at all.
if [[ $rc -eq 0 && "$out" != *WARN* ]]; then
  echo "ok   kubernetes-validate --strict (Kubernetes ${versions[*]})"
else
  echo "FAIL kubernetes-validate"
  status=1
fi

# One checkov run over every render (the same resource in two renders is
# reported under each file). --skip-download keeps it offline.
if checkov --framework kubernetes --directory "$work/renders" --config-file "$here/.checkov.yaml" \
  --skip-download --compact --quiet >"$work/checkov.out" 2>&1; then
  echo "ok   checkov --framework kubernetes ($(grep -o 'Passed checks: [0-9]*, Failed checks: [0-9]*, Skipped checks: [0-9]*' "$work/checkov.out" | head -1))"
else
  cat "$work/checkov.out"
  echo "FAIL checkov"
  status=1
fi
if ((status)); then echo "FAIL k8s/validate.sh"; else echo "ok   k8s/validate.sh"; fi
exit "$status"
