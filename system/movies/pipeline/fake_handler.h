#pragma once

// Test doubles for the movies-client tests: a stand-in for the
// client-handler, and a log stream that a test can wait on.

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "system/common/framing.h"
#include "system/movies/pipeline/client_protocol.h"

namespace chancho::movies::client_test {

// A log stream that tests can wait on: the client logs from its own thread.
// Thread-safe.
class LogSink : public std::streambuf {
 public:
  // Whether `text` was logged within `timeout`.
  bool WaitFor(const std::string& text, std::chrono::seconds timeout);
  std::string text();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* bytes, std::streamsize n) override;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string text_;
};

// The handler's end of one connection, used from the fake handler's thread
// with blocking calls: each returns once the client sends, or closes.
class HandlerPeer {
 public:
  explicit HandlerPeer(boost::asio::ip::tcp::socket socket)
      : socket_(std::move(socket)) {}

  // The next frame; nullopt once the client closed or sent garbage.
  std::optional<common::Frame> Read();
  // Reads the Hello frame and answers Welcome("s"); nullopt (and no
  // answer) if the client closed instead.
  std::optional<common::Frame> Greet();
  // Every frame up to and including the FileEnd of the last file.
  std::vector<common::Frame> ReadUpload();

  // Errors are ignored: the client may be gone, and the test checks what
  // the client saw.
  void Send(FrameType type, std::string_view payload);
  void SendResult(int query, const std::string& text);

  // The client's address, as this end sees it.
  std::string RemoteAddress() const;

  // Stops sending and waits for the client to close, so that nothing it
  // sent is left unread (which would turn the close into a reset).
  void CloseAfterClient();

 private:
  boost::asio::ip::tcp::socket socket_;
  common::FrameDecoder decoder_{kMaxFrameBytes, IsKnownFrameType};
};

// A stand-in for the client-handler: listens on 127.0.0.1 and runs `script`
// on the first connection (or each script on its own connection), in its
// own thread. Scripts only record what they
// see; the test checks it after Join(). Every wait of a script ends when the
// client closes its connection.
class FakeHandler {
 public:
  using Script = std::function<void(HandlerPeer&)>;

  // `port` 0 picks a free one. `tiny_buffers` shrinks the socket buffers so
  // that a client that does not read soon blocks the handler, and the
  // other way round.
  explicit FakeHandler(Script script, uint16_t port = 0,
                       bool tiny_buffers = false);
  // One script per connection, in the order the connections come (a client
  // that resumes its session connects again).
  explicit FakeHandler(std::vector<Script> scripts);
  ~FakeHandler() { Join(); }

  FakeHandler(const FakeHandler&) = delete;
  FakeHandler& operator=(const FakeHandler&) = delete;

  uint16_t port() const { return port_; }

  // Waits for the script to end; if no client ever connected, connects and
  // closes at once so that it does.
  void Join();

 private:
  void Listen(uint16_t port, bool tiny_buffers);
  void Serve(std::vector<Script> scripts);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::size_t scripts_ = 1;
  std::atomic<std::size_t> accepted_ = 0;
  std::thread thread_;
};

// What arrived for each file, in the order the frames came.
struct ReceivedUpload {
  std::array<std::string, kInputFileCount> records;  // payloads, file byte cut
  std::array<int, kInputFileCount> batches{};
  std::array<std::string, kInputFileCount> file_end;  // bad count, as sent
  std::vector<std::string> problems;                  // order violations
};

ReceivedUpload CollectUpload(const std::vector<common::Frame>& frames);

// What a correct client sends for the file at `path`, a file written with
// minimal quoting (as movies-datagen writes): its good records re-encoded
// with minimal quoting and '\n' line ends, and how many it could not parse.
std::pair<std::string, int64_t> ExpectedUpload(
    const std::filesystem::path& path);

}  // namespace chancho::movies::client_test
