#include "system/movies/pipeline/client_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "common/duration.h"
#include "system/common/bind_address.h"
#include "system/common/framing.h"
#include "system/common/resolve.h"
#include "system/movies/mq/state_store.h"
#include "system/movies/pipeline/result_collector.h"

namespace chancho::movies {
namespace {

constexpr int kPollMs = 200;
// A client that does not read its results for this long is dropped rather
// than allowed to stall the result collector.
constexpr int kSendTimeoutS = 10;
// How soon an expired session whose abort failed is tried again.
constexpr auto kExpireRetry = std::chrono::seconds(10);

std::string Frame(FrameType type, std::string_view payload) {
  return common::EncodeFrame(static_cast<std::uint8_t>(type), payload);
}

std::string Errno(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace

ClientHandlerOptions ClientHandlerOptionsFromEnv(const common::EnvLookup& env) {
  ClientHandlerOptions options;
  options.bind_ip = common::BindAddress("", env);
  if (auto port = env("CLIENT_HANDLER_PORT")) {
    options.port = common::ParsePort(*port, "CLIENT_HANDLER_PORT");
  }
  if (auto max = env("MAX_SESSIONS")) {
    options.max_sessions =
        static_cast<int>(common::ParseInteger(*max, "MAX_SESSIONS", 1, 10000));
  }
  if (auto window = env("SESSION_RESUME_WINDOW")) {
    options.resume_window =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            common::ParseDuration(*window));
  }
  options.node = NodeOptionsFromEnv(env);
  options.routes = UploadRoutesFromEnv(env);
  return options;
}

// One client connection, served on its own thread.
class ClientHandler::Session {
 public:
  Session(int fd, ClientHandler& handler) : fd_(fd), handler_(handler) {}
  ~Session() { ::close(fd_); }

  void Run() {
    std::string error;
    try {
      error = Serve();
    } catch (const std::exception& e) {
      error = common::ExceptionMessage(e);
    }
    if (!done_ && handler_.stop_ && uploader_) {
      // The handler is going down, not the client: the session stays on
      // disk for the client to resume with the next handler.
      handler_.logger_.Info("keep_session", "success", {{"session", key_}});
    } else if (!done_) {
      if (!error.empty()) Write(Frame(FrameType::kError, error));
      AbortUpload();
      if (uploader_) handler_.RemoveSession(key_);
      handler_.logger_.Warning("client_disconnected", "fail",
                               {{"session", key_.empty() ? "-" : key_},
                                {"error", error.empty() ? "closed" : error}});
    }
    if (!key_.empty()) {
      std::lock_guard lock(handler_.mutex_);
      handler_.sessions_.erase(key_);
    }
    ended_ = true;
  }

  // From the collector's thread, or the session's own after a Resume (a
  // result may then go out twice; the text is the same).
  void SendResult(int query, const std::string& text) {
    std::string payload(1, static_cast<char>(query));
    payload += text;
    std::lock_guard lock(result_mutex_);
    if (done_ || !Write(Frame(FrameType::kResult, payload))) return;
    if (sent_[query - 1]) return;
    sent_[query - 1] = true;
    if (++results_ == kQueryCount && Write(Frame(FrameType::kDone, ""))) {
      done_ = true;
      handler_.RemoveSession(key_);
      handler_.logger_.Info("client_done", "success", {{"session", key_}});
    }
  }

  // Wakes the reading thread; it ends the session.
  void Close() { ::shutdown(fd_, SHUT_RDWR); }
  bool ended() const { return ended_; }

 private:
  // Reads and handles frames until the peer closes or breaks the protocol;
  // returns why the session ended early ("" for a close).
  std::string Serve() {
    common::FrameDecoder decoder(kMaxFrameBytes, IsKnownFrameType);
    std::string buffer(64 * 1024, '\0');
    while (!handler_.stop_) {
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, kPollMs);
      if (ready < 0 && errno != EINTR) return Errno("poll");
      if (ready <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n == 0) return "";
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return Errno("recv");
      }
      decoder.Feed(
          std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      while (auto frame = decoder.Next()) {
        try {
          Handle(*frame);
        } catch (const ProtocolError& e) {
          return std::string("protocol error: ") + e.what();
        }
      }
      if (decoder.failed()) return "protocol error: " + decoder.error();
    }
    return "the client-handler is shutting down";
  }

  void Handle(const common::Frame& frame) {
    const auto type = static_cast<FrameType>(frame.type);
    if (type == FrameType::kHello) return Hello(frame.payload);
    if (type == FrameType::kResume) return Resume(frame.payload);
    if (type != FrameType::kData && type != FrameType::kFileEnd) {
      throw ProtocolError("unexpected frame type " +
                          std::to_string(frame.type) + " from a client");
    }
    if (!uploader_) throw ProtocolError("data before Hello");
    if (uploader_->finished()) throw ProtocolError("data after the last file");
    if (type == FrameType::kData) {
      uploader_->Data(frame.payload);
    } else {
      uploader_->FileEnd(frame.payload);
    }
  }

  void Hello(const std::string& client_id) {
    if (uploader_) throw ProtocolError("a second Hello");
    if (!IsValidClientId(client_id)) {
      throw ProtocolError("invalid client id (1-64 of [A-Za-z0-9._-])");
    }
    std::string key;
    {
      std::lock_guard lock(handler_.mutex_);
      key = client_id + "@" + handler_.epoch_ + "." +
            std::to_string(handler_.next_session_++);
    }
    Open(key, UploadCheckpoint{});
    handler_.logger_.Info("client_connected", "success",
                          {{"client", client_id}, {"session", key_}});
    Write(Frame(FrameType::kWelcome, key_));
  }

  void Resume(const std::string& key) {
    if (uploader_) throw ProtocolError("Resume after the session started");
    if (!IsValidSessionKey(key)) throw ProtocolError("invalid session key");
    // Only a session that waits for its client, and only once.
    if (!handler_.ClaimOrphan(key)) {
      throw ProtocolError(
          "no session " + key +
          " to resume (finished, abandoned, expired, live or never started)");
    }
    std::optional<mq::Snapshot> saved;
    try {
      saved = handler_.SessionStore(key).Load();
    } catch (const mq::StateStoreError& e) {
      throw ProtocolError(std::string("session ") + key + ": " + e.what());
    }
    if (!saved) throw ProtocolError("session " + key + ": its files are gone");
    const UploadCheckpoint from = UploadCheckpoint::Decode(saved->state);
    Open(key, from);
    handler_.logger_.Info("client_resumed", "success",
                          {{"session", key_},
                           {"file", std::to_string(from.file)},
                           {"frames", std::to_string(from.frames)}});
    std::string payload(1, static_cast<char>(from.file));
    payload += std::to_string(from.frames);
    Write(Frame(FrameType::kResumeFrom, payload));
    for (int query = 1; query <= kQueryCount; ++query) {
      if (auto text = handler_.StoredResult(key_, query)) SendResult(query, *text);
    }
  }

  // The session's broker connection and Uploader, from `from`; every
  // checkpoint goes to the session's store, the first one at once.
  void Open(const std::string& key, const UploadCheckpoint& from) {
    conn_ = std::make_unique<mq::Connection>(handler_.options_.node.broker);
    conn_->EnableConfirms();
    publisher_ = std::make_unique<Publisher>(*conn_);
    store_ = std::make_unique<mq::StateStore>(handler_.SessionStore(key));
    uploader_ = std::make_unique<Uploader>(
        key, handler_.options_.routes, *publisher_, handler_.logger_, from,
        [this](const UploadCheckpoint& c) { store_->Save({c.Encode(), {}}); });
    store_->Save({uploader_->Checkpoint().Encode(), {}});
    std::lock_guard lock(handler_.mutex_);
    key_ = key;
    handler_.sessions_[key_] = self_.lock();
  }

  void AbortUpload() {
    if (!uploader_) return;
    try {
      uploader_->Abort();
      handler_.logger_.Info("abort_session", "success", {{"session", key_}});
    } catch (const std::exception& e) {
      handler_.logger_.Error(
          "abort_session", "fail",
          {{"session", key_}, {"error", common::ExceptionMessage(e)}});
    }
  }

  bool Write(const std::string& bytes) {
    std::lock_guard lock(write_mutex_);
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n =
          ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

 public:
  std::weak_ptr<Session> self_;

 private:
  const int fd_;
  ClientHandler& handler_;
  std::string key_;
  std::unique_ptr<mq::Connection> conn_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<mq::StateStore> store_;
  std::unique_ptr<Uploader> uploader_;
  std::mutex write_mutex_;
  std::mutex result_mutex_;  // guards sent_ and results_
  std::array<bool, kQueryCount> sent_{};
  int results_ = 0;
  std::atomic<bool> done_{false};
  std::atomic<bool> ended_{false};
};

ClientHandler::ClientHandler(ClientHandlerOptions options,
                             common::Logger& logger)
    : options_(std::move(options)),
      logger_(logger),
      epoch_(std::to_string(
          std::chrono::duration_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now().time_since_epoch())
              .count())) {}

ClientHandler::~ClientHandler() { Reap(true); }

void ClientHandler::Stop() { stop_ = true; }

void ClientHandler::Run() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(Errno("socket"));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options_.port);
  const std::string ip = common::ResolveAddress(options_.bind_ip);
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1 ||
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, 128) != 0) {
    const std::string error =
        Errno("listen on " + ip + ":" + std::to_string(options_.port));
    ::close(fd);
    throw std::runtime_error(error);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  bound_port_ = ntohs(addr.sin_port);

  ResultCollector collector(
      [this](const std::string& session, int query, std::string text) {
        Deliver(session, query, std::move(text));
      });
  Node node(options_.node, collector, logger_);
  std::exception_ptr node_error;
  std::thread node_thread([&] {
    try {
      node.Run();
    } catch (...) {
      node_error = std::current_exception();
      stop_ = true;
    }
  });
  FindOrphans();
  logger_.Info("accept_connections", "success",
               {{"ip", ip}, {"port", std::to_string(bound_port_.load())}});
  Accept(fd);
  ::close(fd);
  {
    std::lock_guard lock(mutex_);
    for (auto& [key, session] : sessions_) session->Close();
  }
  Reap(true);
  node.Stop();
  node_thread.join();
  if (node_error) std::rethrow_exception(node_error);
}

void ClientHandler::Accept(int listen_fd) {
  while (!stop_) {
    Reap(false);
    ExpireOrphans();
    pollfd p{listen_fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const timeval send_timeout{kSendTimeoutS, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
                 sizeof(send_timeout));
    auto session = std::make_shared<Session>(fd, *this);
    session->self_ = session;
    if (threads_.size() >= static_cast<std::size_t>(options_.max_sessions)) {
      const std::string error =
          Frame(FrameType::kError, "too many sessions; try again later");
      ::send(fd, error.data(), error.size(), MSG_NOSIGNAL);
      logger_.Warning("client_connected", "fail",
                      {{"error", "too many sessions"}});
      continue;  // the Session's destructor closes fd
    }
    threads_.emplace_back(session, std::thread([session] { session->Run(); }));
  }
}

mq::StateStore ClientHandler::SessionStore(const std::string& key) const {
  return mq::StateStore(SessionsDir(), key);
}

std::filesystem::path ClientHandler::SessionsDir() const {
  return std::filesystem::path(options_.node.storage_dir) / "sessions";
}

std::optional<std::string> ClientHandler::StoredResult(const std::string& key,
                                                       int query) const {
  const auto saved =
      mq::StateStore(SessionsDir(), key + ".q" + std::to_string(query)).Load();
  if (!saved) return std::nullopt;
  return saved->state;
}

void ClientHandler::RemoveSession(const std::string& key) {
  std::error_code ignored;
  for (const std::string& name :
       {key, key + ".q1", key + ".q2", key + ".q3", key + ".q4", key + ".q5"}) {
    std::filesystem::remove(SessionsDir() / name, ignored);
    std::filesystem::remove(SessionsDir() / (name + ".tmp"), ignored);
  }
}

void ClientHandler::Deliver(const std::string& session, int query,
                            std::string text) {
  // Kept until the client has it: it may be away, resuming.
  if (std::filesystem::exists(SessionsDir() / session)) {
    mq::StateStore(SessionsDir(), session + ".q" + std::to_string(query))
        .Save({text, {}});
  }
  std::shared_ptr<Session> target;
  {
    std::lock_guard lock(mutex_);
    const auto found = sessions_.find(session);
    if (found != sessions_.end()) target = found->second;
  }
  if (!target) {
    logger_.Warning("send_result", "fail",
                    {{"session", session},
                     {"query", std::to_string(query)},
                     {"error", "no such session connected"}});
    return;
  }
  target->SendResult(query, text);
}

void ClientHandler::FindOrphans() {
  std::error_code error;
  const auto deadline =
      std::chrono::steady_clock::now() + options_.resume_window;
  std::lock_guard lock(mutex_);
  for (const auto& entry :
       std::filesystem::directory_iterator(SessionsDir(), error)) {
    // The upload checkpoints; results (".qN") and temporary files are not
    // keys.
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(error) && IsValidSessionKey(name)) {
      orphans_[name] = deadline;
    }
  }
  if (!orphans_.empty()) {
    logger_.Info(
        "sessions_to_resume", "success",
        {{"sessions", std::to_string(orphans_.size())},
         {"window_ms", std::to_string(options_.resume_window.count())}});
  }
}

bool ClientHandler::ClaimOrphan(const std::string& key) {
  std::lock_guard lock(mutex_);
  return orphans_.erase(key) > 0;
}

void ClientHandler::ExpireOrphans() {
  std::vector<std::string> expired;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto it = orphans_.begin(); it != orphans_.end();) {
      if (it->second <= now) {
        expired.push_back(it->first);
        it = orphans_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const std::string& key : expired) {
    try {
      // Sent whether or not the upload had started: a stage that never saw
      // the session passes the abort on and keeps nothing.
      mq::Connection conn(options_.node.broker);
      conn.EnableConfirms();
      Publisher publisher(conn);
      UploadCheckpoint started;
      started.started = true;
      Uploader(key, options_.routes, publisher, logger_, started).Abort();
      RemoveSession(key);
      logger_.Warning(
          "session_expired", "success",
          {{"session", key},
           {"error", "its client did not come back within " +
                         std::to_string(options_.resume_window.count()) +
                         " ms"}});
    } catch (const std::exception& e) {
      // Tried again later: the stages must hear of it.
      logger_.Error("session_expired", "fail",
                    {{"session", key}, {"error", common::ExceptionMessage(e)}});
      std::lock_guard lock(mutex_);
      orphans_[key] = std::chrono::steady_clock::now() + kExpireRetry;
    }
  }
}

void ClientHandler::Reap(bool all) {
  for (auto it = threads_.begin(); it != threads_.end();) {
    if (all || it->first->ended()) {
      it->second.join();
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace chancho::movies
