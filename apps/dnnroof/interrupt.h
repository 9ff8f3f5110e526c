#pragma once
// Ctrl-C while a command measures (`bench`, `report`): the first SIGINT sets
// a stop flag, which the sweeps check between iterations, so that what
// finished is written and the command ends cleanly; a second SIGINT kills as
// usual.

#include <atomic>
#include <csignal>

namespace dnnroof::cli {

inline std::atomic<bool> g_sigint_stop{false};

extern "C" inline void dnnroof_on_sigint(int /*signal*/) {
  g_sigint_stop.store(true);
  std::signal(SIGINT, SIG_DFL);
}

// While alive: SIGINT sets flag() (cleared when it starts); the handler
// before it is restored when it ends, also when the measuring throws.
class SigintStop {
 public:
  SigintStop() {
    g_sigint_stop = false;
    previous_ = std::signal(SIGINT, dnnroof_on_sigint);
  }
  ~SigintStop() { std::signal(SIGINT, previous_); }
  SigintStop(const SigintStop&) = delete;
  SigintStop& operator=(const SigintStop&) = delete;

  std::atomic<bool>* flag() const { return &g_sigint_stop; }

 private:
  void (*previous_)(int) = SIG_DFL;
};

}  // namespace dnnroof::cli
