#!/usr/bin/env bash
# The bundle's test runner (installed as libexec/dnnroof/tests/run_tests.sh):
# runs the bundle's test executables where the bundle is, with no source or
# build tree. The tests find their data in the bundle (share/dnnroof/
# test-source, test-shared; tests/bundle/test_paths.h) and write under a
# fresh work directory (also their DNNROOF_CACHE_DIR).
#
#   run_tests.sh [TEST...]     (default: every test executable here)
#
# Environment: DNNROOF_TEST_EXCLUDE (extended regex of executables to leave
# out), DNNROOF_TEST_TIMEOUT (seconds per executable, default 900),
# DNNROOF_TORCH_LIB (a bundle built with --torch external: the folder with
# libtorch_cpu.so; else python3's torch is used, as bin/dnnroof does).
# Prints one line per executable and a summary; exit 1 when one failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prefix="$(cd "$here/../../.." && pwd)"
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

# A bundle without LibTorch: the tests that link it need the node's.
if ! ls "$prefix"/lib/libtorch_cpu.so* >/dev/null 2>&1; then
  torch_lib="${DNNROOF_TORCH_LIB:-}"
  if [ -z "$torch_lib" ] && command -v python3 >/dev/null; then
    torch_lib="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
  fi
  if [ -n "$torch_lib" ]; then
    export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "run_tests: LibTorch from $torch_lib"
  else
    echo "run_tests: warning: this bundle has no LibTorch and none was found (DNNROOF_TORCH_LIB, python3's torch)"
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/dnnroof-bundle-tests.XXXXXX")"
export DNNROOF_TEST_BUNDLE="$prefix"
export DNNROOF_TEST_WORK_DIR="$work/work"
export DNNROOF_CACHE_DIR="$work/cache"
mkdir -p "$DNNROOF_TEST_WORK_DIR" "$DNNROOF_CACHE_DIR" "$work/logs"

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  while read -r f; do
    n="$(basename "$f")"
    case "$n" in *.sh|*.txt) continue ;; esac
    if [ -n "${DNNROOF_TEST_EXCLUDE:-}" ] && [[ "$n" =~ ${DNNROOF_TEST_EXCLUDE} ]]; then continue; fi
    tests+=("$n")
  done < <(find "$here" -maxdepth 1 -type f -perm -u+x | sort)
fi

failed=()
start=$SECONDS
cd "$work/work" || exit 2
for t in "${tests[@]}"; do
  exe="$here/$t"
  log="$work/logs/$t.log"
  if [ ! -x "$exe" ]; then
    echo "run_tests: $t: no such test executable in $here"
    failed+=("$t")
    continue
  fi
  t0=$SECONDS
  timeout "${DNNROOF_TEST_TIMEOUT:-900}" "$exe" --gtest_brief=1 > "$log" 2>&1
  rc=$?
  counts="$(grep -E '^\[ +(PASSED|SKIPPED|FAILED) +\] [0-9]' "$log" | sed 's/\[ *\([A-Z]*\) *\] \([0-9]*\).*/\2 \1/' | tr '\n' ' ' | tr 'A-Z' 'a-z')"
  if [ $rc -eq 0 ]; then
    printf 'run_tests: %-28s ok      %4ss  %s\n' "$t" $((SECONDS - t0)) "$counts"
  else
    printf 'run_tests: %-28s FAILED  %4ss  exit %s  %s\n' "$t" $((SECONDS - t0)) "$rc" "$counts"
    grep -E '^\[  FAILED  \]|Failure|error' "$log" | head -20 | sed 's/^/    /'
    failed+=("$t")
  fi
done
echo "run_tests: ${#tests[@]} executables in $((SECONDS - start)) s, ${#failed[@]} failed${failed:+: ${failed[*]}}; logs in $work/logs"
[ ${#failed[@]} -eq 0 ]
