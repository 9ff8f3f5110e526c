#!/usr/bin/env bash
# The whole test suite: set-up (install, configure, build), then CTest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
"$here/setup.sh"
cd "${BUILD_DIR:-$root/build}"
# The tests never read or write the user's cache (~/.cache/dnnroof: a saved
# host-measured chip, the measured clock): a fresh one per run, in the build.
export DNNROOF_CACHE_DIR="$PWD/test-cache"
rm -rf "$DNNROOF_CACHE_DIR" && mkdir -p "$DNNROOF_CACHE_DIR"
ctest --output-on-failure --parallel "$(nproc)" "$@"
