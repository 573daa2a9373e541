# Sourced by k8s/validate.sh and .ci/check-image: puts the pinned tools of
# .ci/requirements-tools.txt on PATH from a private virtualenv, creating or
# refreshing it only when that file changed (idempotent, and quick when
# nothing changed). Override the location with RECOURSE_TOOLS_VENV.
# shellcheck shell=bash

recourse_tools() {
  local root requirements venv stamp want
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  requirements="$root/.ci/requirements-tools.txt"
  venv="${RECOURSE_TOOLS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/recourse/tools-venv}"
  stamp="$venv/.requirements.sha256"
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "installing the pinned check tools into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
      -r "$requirements" >&2
    echo "$want" >"$stamp"
  fi
  export PATH="$venv/bin:$PATH"
}
recourse_tools
