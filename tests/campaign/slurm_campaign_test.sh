#!/usr/bin/env bash
# A campaign on a real Slurm: starts a single-node cluster with two
# partitions (slurm_fixture.sh), plans two models on both (one array task per
# partition, two configurations each), submits, kills one task with scancel
# after its first configuration, checks what status says, resubmits (only the
# killed task may run again), and checks that the collected results hold
# every configuration exactly once with the partition recorded, and that the
# configuration finished before the kill was not run again.
# Usage: slurm_campaign_test.sh DNNROOF_PROGRAM. Exit 77 (CTest: skipped)
# with the reason where the daemons cannot run here.
set -euo pipefail
dnnroof=$(realpath "$1")
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/campaign/slurm_fixture.sh
source "$here/slurm_fixture.sh"

why=$(slurm_fixture_unavailable)
if [ -n "$why" ]; then
  echo "SKIPPED: $why"
  exit 77
fi

tmp=$(mktemp -d /tmp/dnnroof-slurm-test.XXXXXX)
passed=0
finish() {
  slurm_stop
  if [ "$passed" != 1 ]; then
    echo "---- FAILED; the campaign's logs:"
    for f in "$tmp"/campaign/logs/*; do
      [ -f "$f" ] && { echo "-- $f"; tail -n 20 "$f"; }
    done
    slurm_fixture_logs
  fi
  rm -rf "$tmp"
}
trap finish EXIT

check() {  # check DESCRIPTION COMMAND...: fails the test when the command fails
  local what=$1
  shift
  if ! "$@"; then
    echo "FAIL: $what"
    exit 1
  fi
  echo "ok: $what"
}

# Records in a results file (0 when it does not exist yet).
records() {
  python3 -c 'import json,sys,os
p=sys.argv[1]
print(len(json.load(open(p))["records"]) if os.path.exists(p) else 0)' "$1" 2>/dev/null || echo 0
}

slurm_start "$tmp/cluster"
c=$tmp/campaign

# A configuration samples for its whole budget (a target it cannot reach), so
# each takes a few seconds: time to see the first finish and kill the task.
"$dnnroof" campaign plan --models alexnet,squeezenet1_0 --batch 1 --partitions alpha,beta \
  --per-task 2 --no-probe --threads 1 --budget 3s --target 0.01% --time 10 --out "$c" |
  tee "$tmp/plan.out"
check "the plan has one task per partition" grep -q "alpha: tasks 0" "$tmp/plan.out"
check "the plan has beta's task" grep -q "beta: tasks 1" "$tmp/plan.out"

"$dnnroof" campaign submit "$c" | tee "$tmp/submit1.out"
job_alpha=$(sed -n 's/^submitted job \([0-9]*\) on partition alpha: array tasks 0$/\1/p' "$tmp/submit1.out")
check "submit printed alpha's job id" test -n "$job_alpha"
check "submit sent beta's task" grep -q "on partition beta: array tasks 1$" "$tmp/submit1.out"

# Kill task 0 once its first configuration is in its results file.
first_done() { [ "$(records "$c/results/task-000-alpha.json")" -ge 1 ]; }
check "task 0 finished its first configuration within 90 s" slurm_fixture_wait 90 first_done
scancel "${job_alpha}_0"
echo "scancel ${job_alpha}_0"
check "the campaign's jobs ended within 90 s" slurm_fixture_wait 90 slurm_no_jobs
check "the killed task kept exactly its finished configuration" \
  test "$(records "$c/results/task-000-alpha.json")" = 1
check "beta's task finished both" test "$(records "$c/results/task-001-beta.json")" = 2

"$dnnroof" campaign status "$c" --format csv | tee "$tmp/status1.csv"
check "status: task 0 has 1 done, 0 failed, 1 pending and was cancelled" \
  grep -Eq '^0,alpha,1,0,1,CANCELLED,[^,]*,dnnroof-node,cancelled \(scancel\),' "$tmp/status1.csv"
check "status: task 1 is complete" grep -Eq '^1,beta,2,0,0,COMPLETED,' "$tmp/status1.csv"

"$dnnroof" campaign submit "$c" | tee "$tmp/submit2.out"
job_again=$(sed -n 's/^submitted job \([0-9]*\) on partition alpha: array tasks 0$/\1/p' "$tmp/submit2.out")
check "the resubmission runs task 0 again" test -n "$job_again"
check "the resubmission leaves beta alone" bash -c "! grep -q beta '$tmp/submit2.out'"
all_done() { [ "$(records "$c/results/task-000-alpha.json")" -ge 2 ]; }
check "task 0 finished within 90 s" slurm_fixture_wait 90 all_done
check "the campaign's jobs ended within 60 s" slurm_fixture_wait 60 slurm_no_jobs
check "the resubmitted task skipped what was done" \
  grep -q "skipping alexnet, batch 1, infer (already in the results file)" \
  "$c/logs/task-0-job-$job_again.out"

"$dnnroof" campaign submit "$c" | tee "$tmp/submit3.out"
check "a complete campaign submits nothing" grep -q "nothing to submit" "$tmp/submit3.out"

"$dnnroof" campaign collect "$c" --format csv >"$tmp/collect.csv"
python3 - "$c/results.json" "$job_alpha" "$job_again" <<'EOF'
import json, sys
path, first_job, second_job = sys.argv[1:]
records = json.load(open(path))["records"]
seen = {}
for r in records:
    c = r["conditions"]
    key = (r["model"], r["batch"], r["mode"], c.get("partition"))
    seen[key] = seen.get(key, 0) + 1
    assert r["status"] in ("ok", "noisy"), (key, r["status"], r["status_reason"])
    assert c.get("slurm_node") == "dnnroof-node", c
    assert c.get("slurm_job_id"), c
expected = {(m, 1, "infer", p): 1 for m in ("alexnet", "squeezenet1_0") for p in ("alpha", "beta")}
assert seen == expected, f"records per configuration: {seen}"
by = {(r["model"], r["conditions"]["partition"]): r["conditions"] for r in records}
# The configuration finished before scancel kept its first job; only the
# other one ran in the resubmitted job.
assert by[("alexnet", "alpha")]["slurm_array_job_id"] == first_job, by[("alexnet", "alpha")]
assert by[("squeezenet1_0", "alpha")]["slurm_array_job_id"] == second_job, by[("squeezenet1_0", "alpha")]
assert by[("alexnet", "alpha")]["slurm_array_task_id"] == "0"
assert by[("alexnet", "beta")]["slurm_array_task_id"] == "1"
print("ok: 4 records, each configuration once per partition; the killed task lost only its unfinished configuration")
EOF

passed=1
echo "PASSED"
