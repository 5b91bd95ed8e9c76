#include "system/common/shutdown.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>

namespace chancho::common {
namespace {

using namespace std::chrono_literals;

TEST(ShutdownSignalsTest, CallsTheCallbackOnceForSigterm) {
  asio::io_context io;
  int calls = 0;
  int received = 0;
  // Bounded, in case the signal never arrives.
  asio::steady_timer guard(io, 5s);
  guard.async_wait([&](const boost::system::error_code&) { io.stop(); });
  ShutdownSignals signals(io, [&](int signal_number) {
    ++calls;
    received = signal_number;
    guard.cancel();
  });
  asio::post(io, [] {
    std::raise(SIGTERM);
    // Absorbed: the process must survive a second signal during clean-up.
    std::raise(SIGINT);
  });
  io.run_for(10s);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(received, SIGTERM);
}

TEST(ShutdownSignalsTest, CancelLetsRunReturnWithoutCallback) {
  asio::io_context io;
  bool called = false;
  ShutdownSignals signals(io, [&](int) { called = true; });
  asio::post(io, [&] { signals.Cancel(); });
  const auto start = std::chrono::steady_clock::now();
  io.run_for(5s);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace chancho::common
