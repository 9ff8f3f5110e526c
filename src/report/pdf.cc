#include "report/pdf.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/error.h"

extern char** environ;

namespace dnnroof {
namespace {

bool is_executable(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_chromium() {
  if (const char* env = std::getenv("DNNROOF_CHROMIUM"); env != nullptr && *env != '\0') {
    if (!is_executable(env)) {
      fail("DNNROOF_CHROMIUM={} is not an executable file", env);
    }
    return env;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) return {};
  for (const char* name :
       {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const std::size_t colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
      if (dir.empty()) continue;
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      if (is_executable(candidate)) return candidate.string();
    }
  }
  return {};
}

void print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
               std::string chromium) {
  if (chromium.empty()) chromium = find_chromium();
  if (chromium.empty()) {
    fail(
        "--pdf needs headless Chromium, which was not found on PATH (install it, e.g. "
        "`apt-get install chromium`, or set DNNROOF_CHROMIUM to its path); the HTML and "
        "Markdown report are written without it");
  }
  if (!std::filesystem::exists(html)) fail("cannot print {}: no such file", html.string());
  const std::filesystem::path log = pdf.string() + ".log";
  std::error_code ec;
  std::filesystem::remove(pdf, ec);
  const std::string url = "file://" + std::filesystem::absolute(html).string();
  const std::string out_arg = "--print-to-pdf=" + std::filesystem::absolute(pdf).string();
  std::vector<std::string> args{chromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--no-first-run",
                                "--no-pdf-header-footer",
                                out_arg,
                                url};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail("cannot run {} to print the PDF (error {})", chromium, rc);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waiting for {} failed", chromium);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail("{} failed to print {} (exit status {}; its messages are in {})", chromium, html.string(),
         WIFEXITED(status) ? WEXITSTATUS(status) : -1, log.string());
  }
  if (!std::filesystem::exists(pdf) || std::filesystem::file_size(pdf) == 0) {
    fail("{} wrote no PDF at {} (its messages are in {})", chromium, pdf.string(), log.string());
  }
}

}  // namespace dnnroof
