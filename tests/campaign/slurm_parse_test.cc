// Slurm's own output, as captured from slurm-wlm 22.05 (Debian 12) running
// the fixture of slurm_fixture.sh, parsed.

#include <gtest/gtest.h>

#include "campaign/slurm.h"
#include "core/error.h"

namespace dnnroof {
namespace {

TEST(SlurmParse, Squeue) {
  // squeue -h -r --name=NAME -o '%F|%K|%T|%r|%N': a running task, a pending
  // range not yet split, a non-array job.
  const auto s = parse_squeue(
      "2|1|RUNNING|None|dnnroof-node\n"
      "7|[3-4%1]|PENDING|JobArrayTaskLimit|\n"
      "9|N/A|PENDING|Resources|\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].task, 1);
  EXPECT_EQ(s[0].array_job_id, "2");
  EXPECT_EQ(s[0].state, "RUNNING");
  EXPECT_EQ(s[0].node, "dnnroof-node");
  EXPECT_TRUE(s[0].active());
  EXPECT_EQ(s[1].task, 3);
  EXPECT_EQ(s[2].task, 4);
  EXPECT_EQ(s[2].reason, "JobArrayTaskLimit");
}

TEST(SlurmParse, Sacct) {
  const auto s = parse_sacct(
      "41_0|COMPLETED|0:0|node7\n"
      "41_1|CANCELLED by 1000|0:15|node8\n"
      "41_2|TIMEOUT|0:0|node8\n"
      "43_[5-6]|PENDING|0:0|None assigned\n");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[1].task, 1);
  EXPECT_EQ(s[1].state, "CANCELLED");
  EXPECT_EQ(s[1].reason, "by 1000");
  EXPECT_EQ(s[1].exit_code, "0:15");
  EXPECT_FALSE(s[1].active());
  EXPECT_EQ(s[2].state, "TIMEOUT");
  EXPECT_EQ(s[4].task, 6);
  EXPECT_EQ(s[4].array_job_id, "43");
}

TEST(SlurmParse, ScontrolKeepsTheCampaignsJobs) {
  const std::string text =
      "JobId=3 ArrayJobId=1 ArrayTaskId=0 JobName=dnnroof-x UserId=root(0) GroupId=root(0) "
      "MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED "
      "Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 "
      "NodeList=dnnroof-node\n"
      "JobId=2 ArrayJobId=2 ArrayTaskId=1 JobName=dnnroof-x UserId=root(0) JobState=CANCELLED "
      "Reason=None ExitCode=143:0 NodeList=dnnroof-node\n"
      "JobId=5 JobName=other UserId=root(0) JobState=RUNNING Reason=None ExitCode=0:0\n"
      "JobId=6 ArrayJobId=6 ArrayTaskId=2-3 JobName=dnnroof-x JobState=PENDING "
      "Reason=Resources ExitCode=0:0 NodeList=(null)\n";
  const auto s = parse_scontrol_jobs(text, "dnnroof-x");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[0].task, 0);
  EXPECT_EQ(s[0].state, "COMPLETED");
  EXPECT_EQ(s[1].task, 1);
  EXPECT_EQ(s[1].state, "CANCELLED");
  EXPECT_EQ(s[1].exit_code, "143:0");
  EXPECT_EQ(s[2].task, 2);
  EXPECT_EQ(s[3].task, 3);
  EXPECT_EQ(s[3].reason, "Resources");
}

TEST(SlurmParse, LatestJobPerTaskWins) {
  SlurmTaskState old_run{0, "41", "CANCELLED", "", "0:15", "n1"};
  SlurmTaskState new_run{0, "57", "RUNNING", "None", "", "n2"};
  SlurmTaskState other{1, "41", "COMPLETED", "", "0:0", "n1"};
  const auto latest = latest_per_task({new_run, old_run, other});
  ASSERT_EQ(latest.size(), 2u);
  EXPECT_EQ(latest.at(0).array_job_id, "57");
  EXPECT_EQ(latest.at(0).state, "RUNNING");
  EXPECT_EQ(latest.at(1).state, "COMPLETED");
}

TEST(SlurmParse, LogReasons) {
  // Slurm's own lines (slurmstepd writes them into the job's output).
  EXPECT_EQ(log_reason("task 1\nslurmstepd-dnnroof-node: error: *** JOB 2 ON dnnroof-node "
                       "CANCELLED AT 2026-12-06T11:48:26 ***\nTerminated\n"),
            "cancelled (scancel)");
  EXPECT_EQ(log_reason("slurmstepd: error: *** JOB 1234 ON gpu017 CANCELLED AT "
                       "2026-12-06T11:48:26 DUE TO TIME LIMIT ***\n"),
            "cancelled: time limit");
  EXPECT_EQ(log_reason("slurmstepd: error: *** JOB 1234 ON gpu017 CANCELLED AT "
                       "2026-12-06T11:48:26 DUE TO NODE FAILURE ***\n"),
            "cancelled: node failure");
  EXPECT_EQ(log_reason("slurmstepd: error: Detected 1 oom-kill event(s) in StepId=1234.batch. "
                       "Some of your processes may have been killed by the cgroup out-of-memory "
                       "handler.\n"),
            "out of memory (oom-kill)");
  EXPECT_EQ(log_reason("dnnroof bench: 1/2 ...\ndnnroof: error: model file 'x.onnx' does not "
                       "exist\n"),
            "error: model file 'x.onnx' does not exist");
  EXPECT_EQ(log_reason("all went well\n"), "");
}

TEST(SlurmParse, SbatchJobId) {
  EXPECT_EQ(parse_sbatch_job_id("123\n"), "123");
  EXPECT_EQ(parse_sbatch_job_id("456;cluster2\n"), "456");
  EXPECT_THROW(parse_sbatch_job_id("sbatch: error: Batch job submission failed"), Error);
}

TEST(SlurmParse, RunProgram) {
  const ProgramOutput ok = run_program({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_TRUE(ok.started);
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");
  const ProgramOutput missing = run_program({"dnnroof-no-such-program-here"});
  EXPECT_FALSE(missing.started);
  const ProgramOutput in_dir = run_program({"pwd"}, "/tmp");
  EXPECT_EQ(in_dir.out, "/tmp\n");
}

}  // namespace
}  // namespace dnnroof
