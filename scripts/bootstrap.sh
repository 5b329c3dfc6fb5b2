# Sourced by the project's commands: makes sure the pinned tools and the project's environment
# exist, installing what is missing. Safe to run again; fast when nothing changed.
#   uv       pinned below, in its own small venv (.tools/), so nothing global changes
#   .venv/   the project, its dev and docs tools, exactly as in uv.lock (all dependency groups),
#            on the distribution's python3 when it is 3.11 or newer (below)
#   node_modules/  Spectral, exactly as in package-lock.json
#   chromium, chromium-driver  Debian's, for the docs' browser test (apt-get, as root)
# With BOOTSTRAP_FOR=docs, only uv and .venv/ (what building the docs needs; no npm, no Chromium).
set -euo pipefail

UV_VERSION=0.13.8
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# npm ci and apt-get run in the background, beside the Python installs below (all of them mostly
# wait on the registries and the disk), and are waited for once those are done.

# npm ci wipes and reinstalls; a copy of the lock file it installed from tells when it is needed.
npm_pid=""
if [ "${BOOTSTRAP_FOR:-all}" != docs ] \
  && ! cmp -s "$repo/package-lock.json" "$repo/node_modules/.installed-from-lock.json"; then
  echo "bootstrap: installing Spectral (npm ci)" >&2
  npm_log=$(mktemp)
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error) >"$npm_log" 2>&1 &
  npm_pid=$!
fi

# Debian's Chromium and its driver, for the test that reads the built docs in a browser
# (tests/test_docs_site.py); never a downloaded browser or driver.
apt_pid=""
if [ "${BOOTSTRAP_FOR:-all}" != docs ] && ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing chromium and chromium-driver (apt-get)" >&2
    apt_log=$(mktemp)
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends chromium chromium-driver; } >"$apt_log" 2>&1 &
    apt_pid=$!
  else
    echo "bootstrap: /usr/bin/chromium and /usr/bin/chromedriver are missing; as root run" \
      "'apt-get install chromium chromium-driver' (the docs' browser test needs them)" >&2
  fi
fi

if [ "$("$repo/.tools/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  echo "bootstrap: installing uv $UV_VERSION into .tools/" >&2
  python3 -m venv "$repo/.tools"
  "$repo/.tools/bin/python" -m pip install --quiet "uv==$UV_VERSION"
fi
export PATH="$repo/.tools/bin:$PATH"

# The interpreter of .venv/: the distribution's own python3 (/usr/bin) when it is 3.11 or newer,
# else whichever uv finds (UV_PYTHON chooses either way). Debian builds its Python with
# profile-guided optimisation and links it statically; the pyenv build found first on PATH on
# these machines is neither: a contract run takes about a quarter more CPU on it, the whole test
# suite (bound by CPU) about 13 % more.
python_for_venv=()
if [ -z "${UV_PYTHON:-}" ] \
  && /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  python_for_venv=(--python /usr/bin/python3)
fi
# (The ${a[@]+...} form: bash before 4.4, macOS's among them, calls an empty array unbound.)
(cd "$repo" && uv sync --frozen --all-groups --quiet ${python_for_venv[@]+"${python_for_venv[@]}"})

# `BOOTSTRAP_FOR=docs` (scripts/docs) stops here: it started neither npm ci nor apt-get.
if [ "${BOOTSTRAP_FOR:-all}" = docs ]; then
  return 0 2>/dev/null || exit 0
fi

if [ -n "$npm_pid" ]; then
  if ! wait "$npm_pid"; then
    cat "$npm_log" >&2
    rm -f "$npm_log"
    echo "bootstrap: npm ci failed" >&2
    return 1 2>/dev/null || exit 1
  fi
  cat "$npm_log" >&2
  rm -f "$npm_log"
  cp "$repo/package-lock.json" "$repo/node_modules/.installed-from-lock.json"
fi

if [ -n "$apt_pid" ]; then
  if ! wait "$apt_pid"; then
    cat "$apt_log" >&2
    rm -f "$apt_log"
    echo "bootstrap: apt-get install chromium chromium-driver failed" >&2
    return 1 2>/dev/null || exit 1
  fi
  rm -f "$apt_log"
fi
