#!/usr/bin/env bash
# The whole test suite in the other supported build: without LibTorch
# (-DDNNROOF_WITH_TORCH=OFF), in build-notorch/ (BUILD_DIR to change it).
# The tests that need the executor are skipped there, saying why, and
# run/bench/report's measuring say the build lacks LibTorch (tested).
# Not part of .ci/run: a second full build costs about as much as the first
# on CI's 2 cores. Arguments go to ctest, as in scripts/test.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export BUILD_DIR="${BUILD_DIR:-$root/build-notorch}"
export DNNROOF_CMAKE_ARGS="-DDNNROOF_WITH_TORCH=OFF ${DNNROOF_CMAKE_ARGS:-}"
exec "$here/test.sh" "$@"
