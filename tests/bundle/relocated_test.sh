#!/usr/bin/env bash
# The bundle (scripts/bundle.sh) runs where it was not built: copied to a new
# directory, with the build tree, the source tree and ../shared hidden (an
# empty directory mounted over each in a private mount namespace, so nothing
# else sees the change), from an unrelated working directory:
#   - no bundled ELF file has a missing library, and every library resolves
#     inside the bundle or is glibc's (or the NVIDIA driver's);
#   - bin/dnnroof runs: version, doctor, chips show host, analyze, models;
#   - the bundle's own test executables pass through its runner
#     (libexec/dnnroof/tests/run_tests.sh), reading their data from the
#     bundle: all of them, or the TESTs named.
#
#   tests/bundle/relocated_test.sh BUNDLE_DIR BUILD_DIR [SOURCE_DIR] [-- TEST...]
# Exit 77 (skipped) when BUNDLE_DIR has no bin/dnnroof.
set -euo pipefail
usage="usage: relocated_test.sh BUNDLE_DIR BUILD_DIR [SOURCE_DIR] [-- TEST...]"
bundle="${1:?$usage}"
build="${2:?$usage}"
shift 2
source_dir=""
if [ $# -gt 0 ] && [ "$1" != "--" ]; then source_dir="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
tests=("$@")
if [ ! -x "$bundle/bin/dnnroof" ]; then
  echo "relocated_test: no bundle at $bundle (run scripts/bundle.sh --out $bundle); skipped"
  exit 77
fi
bundle="$(cd "$bundle" && pwd)"
build="$(cd "$build" && pwd)"
hidden=("$build")
if [ -n "$source_dir" ]; then
  source_dir="$(cd "$source_dir" && pwd)"
  hidden+=("$source_dir")
  [ -d "$source_dir/../shared" ] && hidden+=("$(cd "$source_dir/../shared" && pwd)")
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -a "$bundle" "$work/moved"
moved="$work/moved"
mkdir -p "$work/empty" "$work/cwd"

inner() {
  set -euo pipefail
  # The build and source trees are gone for everything below.
  local h
  for h in $hidden_list; do
    mount --bind "$work/empty" "$h"
    [ -z "$(ls -A "$h")" ] || { echo "FAIL: $h is still visible"; exit 1; }
  done
  echo "ok: hidden: $hidden_list"
  unset LD_LIBRARY_PATH
  cd "$work/cwd"
  local bad=0
  while read -r f; do
    head -c 4 "$f" | grep -q ELF || continue
    while read -r line; do
      case "$line" in
        *"not found"*) echo "FAIL: $f: $line"; bad=1 ;;
        *"=> /"*)
          p="$(echo "$line" | awk '{print $3}')"
          case "$p" in
            "$moved"/*) ;;
            */libc.so*|*/libm.so*|*/libdl.so*|*/libpthread.so*|*/librt.so*|*/ld-linux*|*/libresolv.so*|*/libutil.so*|*/libcuda.so*) ;;
            *) echo "FAIL: $f takes $p from outside the bundle"; bad=1 ;;
          esac ;;
      esac
    done < <(ldd "$f" 2>&1)
  done < <(find "$moved" -type f \( -perm -u+x -o -name '*.so*' \))
  [ $bad = 0 ] || exit 1
  echo "ok: every bundled ELF resolves inside the bundle or to glibc"
  local d="$moved/bin/dnnroof"
  "$d" version
  "$d" doctor > doctor.txt && grep -q "GPU ready" doctor.txt
  "$d" chips show host --no-measure-clock > host.txt && grep -q "peak fp32" host.txt
  "$d" analyze resnet18 > analyze.txt && grep -qi "resnet18" analyze.txt
  "$d" models > models.txt && grep -q "vit_b_16" models.txt
  echo "ok: bin/dnnroof runs (version, doctor, chips show host, analyze, models)"
  "$moved/libexec/dnnroof/tests/run_tests.sh" "${tests[@]}"
  echo "ok: the bundle's test executables pass from $work/cwd"
}
export -f inner
export work moved
export tests_list="${tests[*]}"
export hidden_list="${hidden[*]}"
unshare -m bash -c 'tests=($tests_list); inner'
