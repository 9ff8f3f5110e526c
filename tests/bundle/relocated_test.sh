#!/usr/bin/env bash
# The bundle (scripts/bundle.sh) runs where it was not built: copied to a new
# directory, with the build tree hidden (an empty directory mounted over it
# in a private mount namespace, so nothing else sees the change), from an
# unrelated working directory:
#   - no bundled ELF file has a missing library, and every library resolves
#     inside the bundle or is glibc's (or the NVIDIA driver's);
#   - bin/dnnroof runs: version, doctor, chips show host, analyze, models;
#   - the bundle's own test executables pass (a fast subset by default).
#
#   tests/bundle/relocated_test.sh BUNDLE_DIR BUILD_DIR [TEST...]
# Exit 77 (skipped) when BUNDLE_DIR has no bin/dnnroof.
set -euo pipefail
bundle="${1:?usage: relocated_test.sh BUNDLE_DIR BUILD_DIR [TEST...]}"
build="${2:?usage: relocated_test.sh BUNDLE_DIR BUILD_DIR [TEST...]}"
shift 2
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_core test_hw test_graph test_cost test_probe test_analysis)
if [ ! -x "$bundle/bin/dnnroof" ]; then
  echo "relocated_test: no bundle at $bundle (run scripts/bundle.sh --out $bundle); skipped"
  exit 77
fi
bundle="$(cd "$bundle" && pwd)"
build="$(cd "$build" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -a "$bundle" "$work/moved"
moved="$work/moved"
mkdir -p "$work/empty" "$work/cwd"

inner() {
  set -euo pipefail
  # The build tree is gone for everything below.
  mount --bind "$work/empty" "$build"
  [ -z "$(ls -A "$build")" ] || { echo "FAIL: the build tree is still visible"; exit 1; }
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
  for t in "${tests[@]}"; do
    echo "== $t"
    "$moved/libexec/dnnroof/tests/$t" --gtest_brief=1
  done
  echo "ok: ${#tests[@]} test executables of the bundle pass from $work/cwd"
}
export -f inner
export work moved build
export tests_list="${tests[*]}"
unshare -m bash -c 'tests=($tests_list); inner'
