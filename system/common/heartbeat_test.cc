#include "system/common/heartbeat.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>

namespace chancho::common {
namespace {

using namespace std::chrono_literals;

const std::string kPing("PING\0", 5);
const std::string kPong("PONG\0", 5);

// Sends `payload` from a fresh socket and returns the first reply, or nullopt
// if none arrives within `timeout`.
std::optional<std::string> Exchange(const asio::ip::udp::endpoint& to,
                                    const std::string& payload,
                                    std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::v4());
  socket.send_to(asio::buffer(payload), to);
  pollfd fd{socket.native_handle(), POLLIN, 0};
  if (::poll(&fd, 1, static_cast<int>(timeout.count())) != 1) {
    return std::nullopt;
  }
  char buffer[64];
  asio::ip::udp::endpoint from;
  const std::size_t size = socket.receive_from(asio::buffer(buffer), from);
  return std::string(buffer, size);
}

// A responder on 127.0.0.1 with an ephemeral port, served by its own thread.
class HeartbeatResponderTest : public ::testing::Test {
 protected:
  HeartbeatResponderTest()
      : work_(io_.get_executor()),
        responder_(std::make_unique<HeartbeatResponder>(io_, "127.0.0.1", 0)),
        endpoint_(responder_->local_endpoint()),
        thread_([this] { io_.run(); }) {}

  ~HeartbeatResponderTest() override {
    asio::post(io_, [this] { responder_.reset(); });
    work_.reset();
    thread_.join();
  }

  // Runs `fn` on the io_context's thread and waits for it.
  void OnIoThread(std::function<void()> fn) {
    std::promise<void> done;
    asio::post(io_, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<HeartbeatResponder> responder_;
  asio::ip::udp::endpoint endpoint_;
  std::thread thread_;
};

TEST_F(HeartbeatResponderTest, AnswersPingWithPong) {
  EXPECT_NE(endpoint_.port(), 0);
  EXPECT_EQ(Exchange(endpoint_, kPing, 2s), kPong);
  // And keeps answering, from any sender.
  EXPECT_EQ(Exchange(endpoint_, kPing, 2s), kPong);
}

TEST_F(HeartbeatResponderTest, IgnoresAnythingElse) {
  for (const std::string& garbage :
       {std::string("PING"), std::string("PING\0x", 6), std::string("hello"),
        std::string("ping\0", 5), std::string(1000, 'P'), std::string()}) {
    EXPECT_EQ(Exchange(endpoint_, garbage, 200ms), std::nullopt)
        << "answered " << garbage.size() << " bytes";
  }
  EXPECT_EQ(Exchange(endpoint_, kPing, 2s), kPong);
}

TEST_F(HeartbeatResponderTest, StopsAnsweringWhenStopped) {
  OnIoThread([this] { responder_->Stop(); });
  EXPECT_EQ(Exchange(endpoint_, kPing, 200ms), std::nullopt);
}

TEST(HeartbeatResponderSetupTest, RejectsAnInvalidAddress) {
  asio::io_context io;
  EXPECT_THROW(HeartbeatResponder(io, "not-an-ip", 0),
               boost::system::system_error);
}

TEST(HeartbeatResponderSetupTest, DestroyingWithPendingReceiveIsSafe) {
  asio::io_context io;
  { HeartbeatResponder responder(io, "127.0.0.1", 0); }
  // The aborted receive runs after the responder is gone.
  EXPECT_NO_THROW(io.run());
}

}  // namespace
}  // namespace chancho::common
