#include "system/movies/pipeline/fake_handler.h"

#include <boost/asio/write.hpp>
#include <fstream>

#include "system/movies/csv.h"

namespace chancho::movies::client_test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using common::Frame;

bool LogSink::WaitFor(const std::string& text, std::chrono::seconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(
      lock, timeout, [&] { return text_.find(text) != std::string::npos; });
}

std::string LogSink::text() {
  std::lock_guard lock(mutex_);
  return text_;
}

LogSink::int_type LogSink::overflow(int_type c) {
  if (c != traits_type::eof()) {
    const char byte = static_cast<char>(c);
    xsputn(&byte, 1);
  }
  return c;
}

std::streamsize LogSink::xsputn(const char* bytes, std::streamsize n) {
  std::lock_guard lock(mutex_);
  text_.append(bytes, static_cast<std::size_t>(n));
  changed_.notify_all();
  return n;
}

std::optional<Frame> HandlerPeer::Read() {
  for (;;) {
    if (std::optional<Frame> frame = decoder_.Next()) return frame;
    if (decoder_.failed()) return std::nullopt;
    std::array<char, 64 * 1024> buffer;
    error_code ec;
    const std::size_t size = socket_.read_some(asio::buffer(buffer), ec);
    if (ec) return std::nullopt;
    decoder_.Feed(std::string_view(buffer.data(), size));
  }
}

std::optional<Frame> HandlerPeer::Greet() {
  std::optional<Frame> hello = Read();
  if (hello) Send(FrameType::kWelcome, "s");
  return hello;
}

std::vector<Frame> HandlerPeer::ReadUpload() {
  std::vector<Frame> frames;
  while (std::optional<Frame> frame = Read()) {
    frames.push_back(*frame);
    if (frame->type == static_cast<uint8_t>(FrameType::kFileEnd) &&
        !frame->payload.empty() &&
        frame->payload[0] == static_cast<char>(InputFile::kRatings)) {
      break;
    }
  }
  return frames;
}

void HandlerPeer::Send(FrameType type, std::string_view payload) {
  error_code ignored;
  asio::write(
      socket_,
      asio::buffer(common::EncodeFrame(static_cast<uint8_t>(type), payload)),
      ignored);
}

void HandlerPeer::SendResult(int query, const std::string& text) {
  Send(FrameType::kResult, static_cast<char>(query) + text);
}

std::string HandlerPeer::RemoteAddress() const {
  error_code ec;
  const tcp::endpoint endpoint = socket_.remote_endpoint(ec);
  return ec ? "" : endpoint.address().to_string();
}

void HandlerPeer::CloseAfterClient() {
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  while (Read()) {
  }
}

FakeHandler::FakeHandler(Script script, uint16_t port, bool tiny_buffers)
    : acceptor_(io_) {
  Listen(port, tiny_buffers);
  Serve({std::move(script)});
}

FakeHandler::FakeHandler(std::vector<Script> scripts) : acceptor_(io_) {
  Listen(0, false);
  Serve(std::move(scripts));
}

void FakeHandler::Listen(uint16_t port, bool tiny_buffers) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  // Set on the listening socket, because the window scale of accepted
  // connections is fixed from it.
  if (tiny_buffers) {
    acceptor_.set_option(asio::socket_base::send_buffer_size(32 * 1024));
    acceptor_.set_option(asio::socket_base::receive_buffer_size(32 * 1024));
  }
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

void FakeHandler::Serve(std::vector<Script> scripts) {
  scripts_ = scripts.size();
  thread_ = std::thread([this, scripts = std::move(scripts)] {
    for (const Script& script : scripts) {
      error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      ++accepted_;
      if (ec) return;
      HandlerPeer peer(std::move(socket));
      script(peer);
    }
  });
}

void FakeHandler::Join() {
  if (!thread_.joinable()) return;
  // Connections that never came are made and closed at once, so that every
  // script ends (one in progress ends when its client has closed).
  while (accepted_ < scripts_) {
    const std::size_t before = accepted_;
    error_code failed;
    tcp::socket poke(io_);
    poke.connect({asio::ip::make_address("127.0.0.1"), port_}, failed);
    if (failed) break;
    while (accepted_ == before) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  thread_.join();
}

ReceivedUpload CollectUpload(const std::vector<Frame>& frames) {
  ReceivedUpload upload;
  int file = 0;
  for (const Frame& frame : frames) {
    const auto type = static_cast<FrameType>(frame.type);
    if ((type != FrameType::kData && type != FrameType::kFileEnd) ||
        frame.payload.empty() || frame.payload[0] != static_cast<char>(file)) {
      upload.problems.push_back("frame of type " + std::to_string(frame.type) +
                                " while file " + std::to_string(file) +
                                " was expected");
      continue;
    }
    if (type == FrameType::kData) {
      upload.records[file] += frame.payload.substr(1);
      ++upload.batches[file];
    } else {
      upload.file_end[file] = frame.payload.substr(1);
      ++file;
    }
  }
  if (file != kInputFileCount) upload.problems.push_back("upload incomplete");
  return upload;
}

std::pair<std::string, int64_t> ExpectedUpload(
    const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  CsvReader reader(in);
  std::vector<std::string> fields;
  std::string text;
  int64_t bad = 0;
  for (CsvResult r; (r = reader.Next(fields)) != CsvResult::kEnd;) {
    if (r == CsvResult::kMalformed) ++bad;
    if (r == CsvResult::kRecord) AppendCsvRecord(text, fields);
  }
  return {text, bad};
}

}  // namespace chancho::movies::client_test
