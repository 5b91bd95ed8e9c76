#include "system/movies/pipeline/service_signals.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "system/common/bind_address.h"
#include "system/common/heartbeat.h"
#include "system/common/shutdown.h"

namespace chancho::movies {

struct ServiceSignals::Impl {
  boost::asio::io_context io{1};
  std::unique_ptr<common::ShutdownSignals> signals;
  std::unique_ptr<common::HeartbeatResponder> heartbeat;
  std::thread thread;
};

ServiceSignals::ServiceSignals(std::function<void()> on_stop,
                               const common::EnvLookup& env,
                               common::Logger& logger)
    : impl_(std::make_unique<Impl>()) {
  impl_->signals = std::make_unique<common::ShutdownSignals>(
      impl_->io, [this, on_stop = std::move(on_stop)](int) {
        if (impl_->heartbeat) impl_->heartbeat->Stop();
        on_stop();
      });
  if (auto port = env("HEARTBEAT_PORT")) {
    const std::string ip = common::BindAddress("", env);
    impl_->heartbeat = std::make_unique<common::HeartbeatResponder>(
        impl_->io, ip, common::ParsePort(*port, "HEARTBEAT_PORT"));
    logger.Info("heartbeat", "success", {{"ip", ip}, {"port", *port}});
  }
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

ServiceSignals::~ServiceSignals() {
  impl_->io.stop();
  impl_->thread.join();
}

}  // namespace chancho::movies
