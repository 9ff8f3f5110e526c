#!/usr/bin/env bash
# The first GPU run, prepared: validates dnnroof's CUDA half in one command
# (under 9 minutes on one GPU). Run it from the bundle (bin/gpu-check.sh,
# next to bin/dnnroof) or from a source checkout (uses build/dnnroof):
#
#   gpu-check.sh OUTDIR
#
# Steps (each logged to OUTDIR/NN-name.log; a failure is recorded and the
# script goes on): doctor; the gpu-labelled tests; probe (CPU + every GPU:
# FMA per precision, device-memory and L2 bandwidth, cuBLAS GEMM); bench
# resnet18,mobilenet_v2,vit_b_16 at batch 1,64,256, infer and train, with
# CUDA events; one resnet18 iteration under ncu (profile-cmd) imported with
# import-ncu and compared with the cost model; report --results ... --quick.
# Without a CUDA device the bench runs on the CPU as a stand-in (batch 1,2)
# and every GPU-only step says "no CUDA device" and is skipped.
# Environment: DNNROOF (the binary), GPU_CHECK_BATCH, GPU_CHECK_CPU_BATCH,
# GPU_CHECK_BUDGET (per-configuration sampling budget, default 3s).
set -uo pipefail

if [ $# -ne 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -eq 1 ] && exit 0 || exit 2
fi
out="$1"
mkdir -p "$out" || { echo "gpu-check: cannot create $out" >&2; exit 2; }
out="$(cd "$out" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The binary and the test executables: bundle layout first, then a checkout.
dnnroof="${DNNROOF:-}"
tests_dir=""
ctest_dir=""
if [ -z "$dnnroof" ] && [ -x "$here/dnnroof" ]; then
  dnnroof="$here/dnnroof"
  [ -d "$here/../libexec/dnnroof/tests" ] && tests_dir="$(cd "$here/../libexec/dnnroof/tests" && pwd)"
elif [ -z "$dnnroof" ] && [ -x "$here/../build/dnnroof" ]; then
  dnnroof="$here/../build/dnnroof"
  ctest_dir="$(cd "$here/../build" && pwd)"
fi
if [ -z "$dnnroof" ] || [ ! -x "$dnnroof" ]; then
  echo "gpu-check: no dnnroof binary (set DNNROOF=/path/to/dnnroof)" >&2
  exit 2
fi

log="$out/gpu-check.log"
: > "$log"
summary=()
failures=0
step_no=0
say() { echo "gpu-check: $*" | tee -a "$log" >&2; }

# run_step NAME COMMAND...: runs it with its output in OUTDIR/NN-NAME.log.
run_step() {
  local name="$1"
  shift
  step_no=$((step_no + 1))
  local file
  file="$(printf '%s/%02d-%s.log' "$out" "$step_no" "$name")"
  say "[$step_no] $name: $*"
  local t0=$SECONDS
  "$@" > "$file" 2>&1
  local rc=$?
  local dt=$((SECONDS - t0))
  if [ $rc -eq 0 ]; then
    summary+=("$(printf '%-14s ok       %4ss  %s' "$name" "$dt" "$(basename "$file")")")
  else
    failures=$((failures + 1))
    summary+=("$(printf '%-14s FAILED   %4ss  %s (exit %s)' "$name" "$dt" "$(basename "$file")" "$rc")")
    say "  $name failed (exit $rc); the last lines of $(basename "$file"):"
    tail -5 "$file" | sed 's/^/    /' | tee -a "$log" >&2
  fi
  return 0
}

# skip_step NAME WHY: a GPU step that cannot run here.
skip_step() {
  step_no=$((step_no + 1))
  say "[$step_no] $1: skipped: $2"
  summary+=("$(printf '%-14s skipped         %s' "$1" "$2")")
}

say "dnnroof: $dnnroof ($("$dnnroof" version 2>/dev/null))"
say "output: $out"
start=$SECONDS

# 1. What this machine has.
run_step doctor "$dnnroof" doctor
gpu=no
if "$dnnroof" doctor --format csv 2>/dev/null | grep -q '^GPU cuda:[0-9]*,ok,'; then gpu=yes; fi
say "CUDA device: $gpu"

# 2. The gpu-labelled tests (they skip cleanly without a GPU).
if [ -n "$tests_dir" ] && [ -f "$tests_dir/gpu-tests.txt" ] && [ -x "$tests_dir/run_tests.sh" ]; then
  # The bundle's runner: the tests' data in the bundle, a fresh work folder.
  mapfile -t gpu_test_names < <(grep -v '^$' "$tests_dir/gpu-tests.txt")
  if [ ${#gpu_test_names[@]} -gt 0 ]; then
    run_step gpu-tests "$tests_dir/run_tests.sh" "${gpu_test_names[@]}"
  else
    skip_step gpu-tests "this build has no gpu-labelled tests"
  fi
elif [ -n "$tests_dir" ] && [ -f "$tests_dir/gpu-tests.txt" ]; then
  gpu_tests() {
    local rc=0
    while read -r t; do
      [ -n "$t" ] || continue
      echo "== $t"
      "$tests_dir/$t" || rc=1
    done < "$tests_dir/gpu-tests.txt"
    return $rc
  }
  run_step gpu-tests gpu_tests
elif [ -n "$ctest_dir" ]; then
  run_step gpu-tests ctest --test-dir "$ctest_dir" -L gpu --output-on-failure
else
  skip_step gpu-tests "no test executables found next to $dnnroof"
fi

# 3. The ceilings: CPU (quick) and every GPU.
run_step probe "$dnnroof" probe --quick --out "$out/host-measured.toml" \
  --roofline "$out/probe-roofline.png"

# 4. Latency against batch, inference and training.
budget="${GPU_CHECK_BUDGET:-3s}"
if [ "$gpu" = yes ]; then
  run_step bench "$dnnroof" bench resnet18 mobilenet_v2 vit_b_16 --device cuda \
    --batch "${GPU_CHECK_BATCH:-1,64,256}" --mode infer,train --budget "$budget" \
    --out "$out/results.json"
else
  say "no CUDA device: bench runs on the CPU as a stand-in (batch ${GPU_CHECK_CPU_BATCH:-1,2})"
  run_step bench-cpu "$dnnroof" bench resnet18 mobilenet_v2 vit_b_16 --device cpu \
    --batch "${GPU_CHECK_CPU_BATCH:-1,2}" --mode infer,train --budget "$budget" \
    --out "$out/results.json"
fi

# 5. One resnet18 iteration under Nsight Compute, imported and compared.
ncu_bin="$(command -v ncu || true)"
if [ "$gpu" != yes ]; then
  skip_step ncu "no CUDA device"
  skip_step import-ncu "no CUDA device"
elif [ -z "$ncu_bin" ]; then
  skip_step ncu "ncu is not on PATH (dnnroof doctor says how to get it)"
  skip_step import-ncu "no ncu CSV"
else
  cc="$("$dnnroof" doctor --format csv | sed -n 's/^GPU cuda:0,ok,.*compute capability \([0-9]*\)\.\([0-9]*\).*/\1\2/p' | head -1)"
  csv="$out/resnet18-b1-infer.ncu.csv"
  ncu_cmd="$("$dnnroof" profile-cmd resnet18 --batch 1 --arch "${cc:-80}" --csv "$csv" \
    --ncu "$ncu_bin" --dnnroof "$dnnroof" --format json |
    sed -n 's/.*"ncu_command": *"\(.*\)",\{0,1\}$/\1/p' | sed 's/\\"/"/g' | head -1)"
  if [ -z "$ncu_cmd" ]; then
    skip_step ncu "profile-cmd gave no ncu command"
  else
    run_step ncu bash -c "$ncu_cmd"
  fi
  if [ -s "$csv" ]; then
    run_step import-ncu "$dnnroof" import-ncu "$csv" --model resnet18 --batch 1 \
      --out "$out/resnet18.ncu.json"
  else
    skip_step import-ncu "ncu wrote no CSV"
  fi
fi

# 6. The report from what was measured.
report_args=(report --results "$out/results.json" --quick --out "$out/report")
[ -s "$out/resnet18.ncu.json" ] && report_args+=(--ncu "$out/resnet18.ncu.json")
if [ -s "$out/results.json" ]; then
  run_step report "$dnnroof" "${report_args[@]}"
else
  skip_step report "no results.json (bench failed)"
fi

{
  echo
  echo "gpu-check: done in $((SECONDS - start)) s, $failures step(s) failed; CUDA device: $gpu"
  printf '%s\n' "${summary[@]}"
} | tee -a "$log"
exit $((failures > 0 ? 1 : 0))
