#!/usr/bin/env bash
# dnnroof against a pip torch wheel's LibTorch (what a GPU node has), from
# the build to the run (docs/gpu.md, "Against a torch wheel"):
#   1. configure a build against the wheel (CMAKE_PREFIX_PATH=<torch>/share/cmake;
#      the program and the executor module only) and check it found the
#      wheel's LibTorch version;
#   2. scripts/bundle.sh --torch external: the bundle has no libtorch*/libc10*,
#      its executor module needs the wheel's libtorch_cpu.so, and no RPATH
#      entry of the bundle names a folder of this machine;
#   3. the bundle, moved, runs `run resnet18` and `bench resnet18` on the CPU
#      with LibTorch found through DNNROOF_TORCH_LIB=<torch>/lib, then through
#      the python3 of the wheel's venv (first on PATH); the results record
#      the wheel's LibTorch version (the module's TORCH_VERSION), not Debian's;
#   4. with neither, `run` fails with an error that names DNNROOF_TORCH_LIB.
#
#   tests/bundle/torch_wheel_test.sh SOURCE_DIR BUILD_DIR
# BUILD_DIR is the wheel build's folder (a sibling of the usual build/, at
# the same depth, lets ccache serve the objects); the bundle and the runs go
# to BUILD_DIR/wheel-test.
# The wheel: $DNNROOF_TORCH_WHEEL (the torch package folder, with
# share/cmake/Torch and lib/), opt-in: a 3-10 minute build is not run just
# because some venv happens to hold torch. Exit 77 (skipped) when unset. ctest: label torch_wheel (ctest -LE
# torch_wheel leaves it out); 3-10 minutes (a warm ccache compiles only the
# five LibTorch files).
set -euo pipefail
src="$(cd "${1:?usage: torch_wheel_test.sh SOURCE_DIR BUILD_DIR}" && pwd)"
build="${2:?usage: torch_wheel_test.sh SOURCE_DIR BUILD_DIR}"

wheel="${DNNROOF_TORCH_WHEEL:-}"
if [ -z "$wheel" ] || [ ! -d "$wheel/share/cmake/Torch" ] || [ ! -f "$wheel/lib/libtorch_cpu.so" ]; then
  echo "torch_wheel_test: no torch wheel (set DNNROOF_TORCH_WHEEL=<site-packages>/torch); skipped"
  exit 77
fi
wheel="$(cd "$wheel" && pwd)"
version="$(sed -n 's/^__version__ = .\([0-9][0-9.]*\).*/\1/p' "$wheel/version.py" 2>/dev/null | head -1)"
venv_bin="$(cd "$wheel/../../../.." && pwd)/bin"
echo "torch_wheel_test: wheel $wheel (torch ${version:-?}), venv bin $venv_bin"
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$build/wheel-test"
build="$(cd "$build" && pwd)"
work="$build/wheel-test"
t0=$SECONDS
generator=()
[ -f "$build/CMakeCache.txt" ] || generator=(-G Ninja)
cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$wheel/share/cmake" -DDNNROOF_BUILD_TESTS=OFF -DDNNROOF_BUILD_BENCH=OFF \
  > "$work/configure.log" 2>&1 || { tail -20 "$work/configure.log"; fail "configure"; }
found="$(grep -o 'LibTorch executor ON (LibTorch [0-9.]*' "$work/configure.log" | head -1 || true)"
echo "torch_wheel_test: configure ($((SECONDS - t0)) s): ${found:-executor OFF}"
[ -n "$found" ] || fail "the build did not find the wheel's LibTorch"
[ -z "$version" ] || [[ "$found" == *"LibTorch ${version%%+*}"* ]] || [[ "$found" == *"LibTorch ${version}"* ]] ||
  fail "the build found '$found', not the wheel's torch $version"

t0=$SECONDS
bash "$src/scripts/bundle.sh" --build-dir "$build" --out "$work/bundle" --torch external \
  --no-tests --no-tar > "$work/bundle.log" 2>&1 || { tail -30 "$work/bundle.log"; fail "bundle.sh"; }
echo "torch_wheel_test: build + bundle ($((SECONDS - t0)) s): $(grep '^bundle: .* in all' "$work/bundle.log")"
b="$work/bundle"
if ls "$b"/lib/libtorch* "$b"/lib/libc10* >/dev/null 2>&1; then fail "LibTorch was copied into an external bundle"; fi
readelf -d "$b/lib/libdnnroof_exec.so" | grep -q 'NEEDED.*\[libtorch_cpu.so\]' ||
  fail "the executor module does not link the wheel's libtorch_cpu.so"
while read -r f; do
  rp="$(readelf -d "$f" 2>/dev/null | sed -n 's/.*R\(UN\)\{0,1\}PATH.*\[\(.*\)\]/\2/p')"
  for e in ${rp//:/ }; do
    case "$e" in '$ORIGIN'*) ;; *) fail "$f has RPATH entry $e (a folder of this machine)" ;; esac
  done
done < <(find "$b" -type f \( -name '*.so*' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF' _ {} \; -print)
echo "ok: external bundle: no LibTorch inside, module needs libtorch_cpu.so, RPATHs \$ORIGIN-relative"

# Moved, from an unrelated directory, with the wheel's venv off PATH.
moved="$work/moved"
rm -rf "$moved" "$work/run"
cp -a "$b" "$moved"
mkdir -p "$work/run"
cd "$work/run"
clean_path="$(tr ':' '\n' <<< "$PATH" | grep -vx "$venv_bin" | paste -sd:)"
export DNNROOF_CACHE_DIR="$work/run/cache"
# Only results that have the fields: libtorch version of the run.
libtorch_of() { grep -o '"libtorch": *"[^"]*"' "$1" | head -1 | sed 's/.*: *"\(.*\)"/\1/'; }

check_runs() {  # $1: how LibTorch is found (for the messages)
  local how="$1" out="$work/run/$2"
  mkdir -p "$out"
  local t=$SECONDS
  "$moved/bin/dnnroof" doctor > "$out/doctor.txt" 2>&1 || fail "doctor ($how)"
  grep -q '^executor module *ok' "$out/doctor.txt" ||
    { grep 'executor module' "$out/doctor.txt"; fail "doctor: the executor module does not load ($how)"; }
  "$moved/bin/dnnroof" run resnet18 --outputs "$out/outputs" > "$out/run.txt" 2> "$out/run.err" ||
    { tail -5 "$out/run.err"; fail "run resnet18 ($how)"; }
  [ -s "$out/outputs/output_0.pb" ] || fail "run resnet18 wrote no output_0.pb ($how)"
  "$moved/bin/dnnroof" bench resnet18 --device cpu --batch 1 --mode infer --budget 1s \
    --out "$out/results.json" > "$out/bench.txt" 2> "$out/bench.err" ||
    { tail -5 "$out/bench.err"; fail "bench resnet18 ($how)"; }
  local v
  v="$(libtorch_of "$out/results.json")"
  [ -n "$v" ] || fail "results.json records no libtorch version ($how)"
  [ -z "$version" ] || [[ "$version" == "$v"* ]] || fail "results ran LibTorch $v, not the wheel's $version ($how)"
  echo "ok: LibTorch through $how: doctor loads the module, run resnet18 wrote its output, bench recorded LibTorch $v ($((SECONDS - t)) s)"
}

# 1. DNNROOF_TORCH_LIB, no torch on python3's path that could serve.
PATH="$clean_path" DNNROOF_TORCH_LIB="$wheel/lib" check_runs "DNNROOF_TORCH_LIB" lib
# 1b. The program itself (no wrapper, no LD_LIBRARY_PATH): the loader preloads
# LibTorch from DNNROOF_TORCH_LIB.
(unset LD_LIBRARY_PATH; PATH="$clean_path" DNNROOF_TORCH_LIB="$wheel/lib" \
  "$moved/libexec/dnnroof/dnnroof" run resnet18 --outputs "$work/run/direct" \
  > "$work/run/direct.txt" 2>&1) || { tail -5 "$work/run/direct.txt"; fail "libexec/dnnroof/dnnroof run with DNNROOF_TORCH_LIB"; }
[ -s "$work/run/direct/output_0.pb" ] || fail "the program run directly wrote no output"
echo "ok: libexec/dnnroof/dnnroof (no wrapper, no LD_LIBRARY_PATH) runs resnet18 with DNNROOF_TORCH_LIB"
# 2. The venv's python3 (its `torch` package), no DNNROOF_TORCH_LIB.
(unset DNNROOF_TORCH_LIB; PATH="$venv_bin:$clean_path" check_runs "the venv's python3 torch" python)
# 3. Neither: a python3 that cannot import torch.
mkdir -p "$work/nopython"
printf '#!/bin/sh\nexit 1\n' > "$work/nopython/python3"
chmod +x "$work/nopython/python3"
if (unset DNNROOF_TORCH_LIB; PATH="$work/nopython:$clean_path" \
    "$moved/bin/dnnroof" run resnet18 --outputs "$work/run/none" > "$work/run/none.txt" 2>&1); then
  fail "run resnet18 succeeded without a LibTorch to find"
fi
grep -q 'DNNROOF_TORCH_LIB' "$work/run/none.txt" ||
  { cat "$work/run/none.txt"; fail "without LibTorch the error does not say how to point at one"; }
echo "ok: without LibTorch: $(head -c 300 "$work/run/none.txt")"
echo "torch_wheel_test: passed"
