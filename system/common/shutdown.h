#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace chancho::common {

namespace asio = boost::asio;

// Graceful shutdown on SIGTERM (docker stop, the harness) or SIGINT (Ctrl-C).
//
// Calls `on_signal(signal_number)` once, from the io_context's thread, for the
// first of those signals. While this object lives, later SIGTERM/SIGINT are
// absorbed instead of killing the process in the middle of its clean-up.
// While waiting it keeps io_context::run() busy; Cancel() lets run() return
// once the rest of the work is done.
//
// Use from the io_context's thread. Destroying it cancels the wait.
class ShutdownSignals {
 public:
  using Callback = std::function<void(int signal_number)>;

  ShutdownSignals(asio::io_context& io, Callback on_signal);

  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Stops waiting; the callback will not be called. Idempotent.
  void Cancel();

 private:
  asio::signal_set signals_;
  Callback on_signal_;
};

}  // namespace chancho::common
