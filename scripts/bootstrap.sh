# Sourced by the project's commands: makes sure the pinned tools and the project's environment
# exist, installing what is missing. Safe to run again; fast when nothing changed.
#   uv       pinned below, in its own small venv (.tools/), so nothing global changes
#   .venv/   the project and its dev tools, exactly as in uv.lock
#   node_modules/  Spectral, exactly as in package-lock.json
set -euo pipefail

UV_VERSION=0.13.8
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [ "$("$repo/.tools/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
  python3 -m venv "$repo/.tools"
  "$repo/.tools/bin/python" -m pip install --quiet "uv==$UV_VERSION"
fi
export PATH="$repo/.tools/bin:$PATH"

(cd "$repo" && uv sync --frozen --quiet)

# npm ci wipes and reinstalls; a copy of the lock file it installed from tells when it is needed.
if ! cmp -s "$repo/package-lock.json" "$repo/node_modules/.installed-from-lock.json"; then
  echo "bootstrap: installing Spectral (npm ci)" >&2
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$repo/package-lock.json" "$repo/node_modules/.installed-from-lock.json"
fi
