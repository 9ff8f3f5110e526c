#!/usr/bin/env bash
# `dnnroof campaign run --local`: one model on two partitions, run here task
# by task; then status, a second run (nothing left), collect.
# Usage: local_campaign_test.sh DNNROOF_PROGRAM
set -euo pipefail
dnnroof=$(realpath "$1")
tmp=$(mktemp -d /tmp/dnnroof-campaign-local.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
c=$tmp/c
fail() {
  echo "FAIL: $*"
  exit 1
}

"$dnnroof" campaign plan --models squeezenet1_0 --batch 1 --partitions alpha,beta --no-probe \
  --threads 1 --budget 300ms --out "$c"
"$dnnroof" campaign run "$c" --local >"$tmp/run1.out"
cat "$tmp/run1.out"
grep -q "^task 0: exit 0 (log logs/task-0-local.out)$" "$tmp/run1.out" || fail "task 0 did not run"
grep -q "^task 1: exit 0 (log logs/task-1-local.out)$" "$tmp/run1.out" || fail "task 1 did not run"

"$dnnroof" campaign status "$c" --no-slurm --format csv >"$tmp/status.csv"
cat "$tmp/status.csv"
grep -Eq '^0,alpha,1,0,0,,,,,logs/task-0-local.out$' "$tmp/status.csv" || fail "status of task 0"
grep -Eq '^1,beta,1,0,0,,,,,logs/task-1-local.out$' "$tmp/status.csv" || fail "status of task 1"

"$dnnroof" campaign run "$c" --local >"$tmp/run2.out"
grep -q "nothing to run" "$tmp/run2.out" || fail "a finished campaign ran again"

"$dnnroof" campaign collect "$c" --format csv >"$tmp/collect.csv"
python3 - "$c/results.json" <<'EOF'
import json, sys
records = json.load(open(sys.argv[1]))["records"]
got = sorted((r["model"], r["batch"], r["conditions"]["partition"], r["status"] in ("ok", "noisy"))
             for r in records)
assert got == [("squeezenet1_0", 1, "alpha", True), ("squeezenet1_0", 1, "beta", True)], got
assert all("slurm_job_id" not in r["conditions"] for r in records)
print("ok: one record per partition")
EOF

# A bad plan is refused with the reason.
if "$dnnroof" campaign plan --models no_such_model --partitions a --out "$tmp/bad" 2>"$tmp/bad.err"; then
  fail "an unknown model was accepted"
fi
grep -q "no_such_model" "$tmp/bad.err" || fail "the error does not name the model"
echo PASSED
