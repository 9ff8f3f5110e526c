#include "campaign/slurm.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>
#include <sstream>

#include "campaign/progress.h"
#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {
namespace {

// "123_4" -> {"123", "4"}; "123_[5-7]" -> {"123", "[5-7]"}; "123" -> {"123", ""}.
std::pair<std::string, std::string> split_job_id(const std::string& id) {
  const std::size_t u = id.find('_');
  if (u == std::string::npos) return {id, ""};
  return {id.substr(0, u), id.substr(u + 1)};
}

// Adds one state per task of `tasks` ("4", "2-4", "[2-4%1]"); nothing for
// a job that is not an array task.
void add_tasks(std::vector<SlurmTaskState>& out, const SlurmTaskState& base,
               const std::string& tasks) {
  const std::string t = trim(tasks);
  if (t.empty() || t == "N/A" || t == "(null)") return;
  std::vector<int> indices;
  try {
    indices = parse_array_list(t);
  } catch (const Error&) {
    return;
  }
  for (int i : indices) {
    SlurmTaskState s = base;
    s.task = i;
    out.push_back(s);
  }
}

long long id_number(const std::string& id) {
  try {
    return std::stoll(id);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

ProgramOutput run_program(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                          const std::function<void(const std::string&)>& on_output) {
  ProgramOutput result;
  if (argv.empty()) return result;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) return result;
  if (pipe(err_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return result;
  }
  // A pipe that tells the parent whether exec worked (closed on exec).
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    return result;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::string dir = cwd.string();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1], exec_pipe[0]}) close(fd);
    if (!dir.empty() && chdir(dir.c_str()) != 0) {
      const int e = errno;
      (void)!write(exec_pipe[1], &e, sizeof e);
      _exit(127);
    }
    execvp(args[0], args.data());
    const int e = errno;
    (void)!write(exec_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  if (pid < 0) {
    for (int fd : {out_pipe[0], err_pipe[0], exec_pipe[0]}) close(fd);
    return result;
  }
  int exec_errno = 0;
  const bool exec_failed =
      read(exec_pipe[0], &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno);
  close(exec_pipe[0]);
  // Both pipes drained together, so a chatty stderr cannot block stdout.
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
        if (on_output) on_output(std::string(buf, static_cast<std::size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.started = !exec_failed;
  if (exec_failed) {
    result.err = fmt::format("cannot run {}: {}", argv[0], std::strerror(exec_errno));
  }
  result.exit_code = WIFEXITED(status)     ? WEXITSTATUS(status)
                     : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                           : -1;
  return result;
}

std::vector<SlurmTaskState> parse_squeue(const std::string& text) {
  std::vector<SlurmTaskState> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::vector<std::string> f = split(trim(line), '|');
    if (f.size() < 5) continue;
    SlurmTaskState s;
    s.array_job_id = trim(f[0]);
    s.state = trim(f[2]);
    s.reason = trim(f[3]);
    s.node = trim(f[4]);
    add_tasks(out, s, f[1]);
  }
  return out;
}

std::vector<SlurmTaskState> parse_sacct(const std::string& text) {
  std::vector<SlurmTaskState> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const std::vector<std::string> f = split(trim(line), '|');
    if (f.size() < 4) continue;
    const auto [job, tasks] = split_job_id(trim(f[0]));
    SlurmTaskState s;
    s.array_job_id = job;
    const std::string state = trim(f[1]);
    const std::size_t space = state.find(' ');
    s.state = state.substr(0, space);
    if (space != std::string::npos) s.reason = trim(state.substr(space + 1));
    s.exit_code = trim(f[2]);
    s.node = trim(f[3]);
    add_tasks(out, s, tasks);
  }
  return out;
}

std::vector<SlurmTaskState> parse_scontrol_jobs(const std::string& text,
                                                const std::string& job_name) {
  std::vector<SlurmTaskState> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::map<std::string, std::string> kv;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      const std::size_t eq = word.find('=');
      if (eq != std::string::npos) kv.emplace(word.substr(0, eq), word.substr(eq + 1));
    }
    if (kv["JobName"] != job_name || !kv.contains("ArrayJobId")) continue;
    SlurmTaskState s;
    s.array_job_id = kv["ArrayJobId"];
    s.state = kv["JobState"];
    s.reason = kv["Reason"];
    s.exit_code = kv["ExitCode"];
    s.node = kv["NodeList"];
    add_tasks(out, s, kv["ArrayTaskId"]);
  }
  return out;
}

std::map<int, SlurmTaskState> latest_per_task(const std::vector<SlurmTaskState>& states) {
  std::map<int, SlurmTaskState> out;
  for (const SlurmTaskState& s : states) {
    auto it = out.find(s.task);
    if (it == out.end()) {
      out.emplace(s.task, s);
      continue;
    }
    const SlurmTaskState& old = it->second;
    const bool newer = id_number(s.array_job_id) > id_number(old.array_job_id);
    const bool same_job = s.array_job_id == old.array_job_id;
    if (newer || (same_job && s.active() && !old.active())) it->second = s;
  }
  return out;
}

std::string log_reason(const std::string& log_text) {
  static const std::regex kCancelled(
      R"(\*\*\* (?:JOB|STEP) \S+ ON \S+ CANCELLED AT \S+( DUE TO ([A-Z ]+?))?( \*\*\*|$))");
  std::string reason;
  std::istringstream lines(log_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_search(line, m, kCancelled)) {
      const std::string why = m[2].matched ? to_lower(m[2].str()) : "";
      if (why.empty()) {
        reason = "cancelled (scancel)";
      } else if (why == "node failure") {
        reason = "cancelled: node failure";
      } else {
        reason = "cancelled: " + why;
      }
      continue;
    }
    if (line.find("oom-kill") != std::string::npos ||
        line.find("Out Of Memory") != std::string::npos) {
      reason = "out of memory (oom-kill)";
      continue;
    }
    if (reason.empty() || reason.starts_with("error")) {
      if (const std::size_t at = line.find("error: "); at != std::string::npos) {
        reason = trim(line.substr(at));
      }
    }
  }
  return reason;
}

std::string parse_sbatch_job_id(const std::string& text) {
  const std::string t = trim(text);
  const std::string id = t.substr(0, t.find(';'));
  static const std::regex kId("[0-9]+");
  if (!std::regex_match(id, kId)) fail("sbatch printed no job id: '{}'", t);
  return id;
}

}  // namespace dnnroof
