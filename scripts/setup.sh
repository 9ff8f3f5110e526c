#!/usr/bin/env bash
# Installs whatever dnnroof needs that is missing (scripts/packages.txt), then
# configures and builds into build/. Quick when everything is already there.
# Environment: BUILD_DIR (default build), DNNROOF_WERROR (ON in CI),
# DNNROOF_CMAKE_ARGS (extra arguments for cmake).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# -Werror in CI (or when DNNROOF_WERROR is set); otherwise the build keeps
# whatever its cache has, so switching between the two commands never forces
# a full rebuild.
werror_arg=()
if [ "${CI:-}" = "true" ]; then
  werror_arg=(-DDNNROOF_WERROR=ON)
elif [ -n "${DNNROOF_WERROR:-}" ]; then
  werror_arg=(-DDNNROOF_WERROR="$DNNROOF_WERROR")
fi
generator=()
if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
# shellcheck disable=SC2086
cmake -S "$root" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  "${werror_arg[@]}" ${DNNROOF_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)"
