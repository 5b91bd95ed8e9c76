#include "system/common/shutdown.h"

#include <csignal>
#include <utility>

namespace chancho::common {

ShutdownSignals::ShutdownSignals(asio::io_context& io, Callback on_signal)
    : signals_(io, SIGTERM, SIGINT), on_signal_(std::move(on_signal)) {
  signals_.async_wait(
      [this](const boost::system::error_code& ec, int signal_number) {
        // Checked before touching `this`: an aborted wait may complete after
        // this object is gone.
        if (ec) return;
        Callback callback = std::move(on_signal_);
        on_signal_ = nullptr;
        if (callback) callback(signal_number);
      });
}

void ShutdownSignals::Cancel() {
  on_signal_ = nullptr;
  boost::system::error_code ignored;
  signals_.cancel(ignored);
}

}  // namespace chancho::common
