#pragma once
// Talking to Slurm through its own commands (sbatch, squeue, sacct,
// scontrol), and reading what they print. The parsers are pure, so they are
// tested on text; run_program is the only part that runs anything.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dnnroof {

struct ProgramOutput {
  bool started = false;  // false: the program could not be run (not installed)
  int exit_code = -1;    // 128 + signal when killed by one
  std::string out;       // stdout
  std::string err;       // stderr
};

// Runs argv[0] (looked up on $PATH) with the arguments, in `cwd` when not
// empty, and waits for it; stdout and stderr are captured. Never throws for
// a program that fails or is missing: `started` and `exit_code` say.
// `on_output`, when set, also gets every chunk of either stream as it comes.
ProgramOutput run_program(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {},
                          const std::function<void(const std::string&)>& on_output = {});

// What Slurm says about one array task of a job (the latest when several
// jobs ran it).
struct SlurmTaskState {
  int task = -1;             // array index
  std::string array_job_id;  // the job array's id ("%A")
  std::string state;         // PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, NODE_FAIL, ...
  std::string reason;        // squeue/scontrol reason ("Resources", "None"); may be empty
  std::string exit_code;     // "0:0", "1:0", "0:15" (code:signal); empty when unknown
  std::string node;          // node list
  bool active() const {
    return state == "PENDING" || state == "RUNNING" || state == "CONFIGURING" ||
           state == "COMPLETING" || state == "REQUEUED" || state == "SUSPENDED";
  }
};

// `squeue -h -r --name=NAME -o '%F|%K|%T|%r|%N'` (one line per task; a
// pending range "2-4" or "[2-4%1]" stands for each of its tasks).
std::vector<SlurmTaskState> parse_squeue(const std::string& text);

// `sacct -n -X -P --name=NAME -o JobID,State,ExitCode,NodeList` ("123_4",
// "123_[5-7]"; "CANCELLED by 0" becomes CANCELLED with reason "by 0").
std::vector<SlurmTaskState> parse_sacct(const std::string& text);

// `scontrol show job --oneliner` (every job slurmctld still holds: active
// ones, and finished ones for MinJobAge seconds), keeping jobs named
// `job_name`.
std::vector<SlurmTaskState> parse_scontrol_jobs(const std::string& text,
                                                const std::string& job_name);

// Per array index, the state from the job with the highest array job id
// (the latest submission); active states win over ended ones of older jobs.
std::map<int, SlurmTaskState> latest_per_task(const std::vector<SlurmTaskState>& states);

// Why a task's log says it ended early: Slurm's "*** JOB 12 ON node
// CANCELLED AT ... DUE TO TIME LIMIT ***" lines become "cancelled: time
// limit", "cancelled: node failure", "cancelled (scancel)"; an out-of-memory
// kill "out of memory (oom-kill)"; else the last "error:" line; "" when
// none.
std::string log_reason(const std::string& log_text);

// The job id in `sbatch --parsable`'s output ("123" or "123;cluster").
std::string parse_sbatch_job_id(const std::string& text);

}  // namespace dnnroof
