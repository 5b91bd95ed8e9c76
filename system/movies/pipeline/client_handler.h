#pragma once

// client-handler: the pipeline's front door (client_protocol.h). It accepts
// client connections, one thread per session, each with its own broker
// connection and Uploader (upload.h); and it runs a Node with the
// ResultCollector role, whose results it writes back to the session they
// belong to. When all five results are sent it sends Done.
//
// A session is keyed "<client id>@<handler start>.<n>", unique even when a
// client id comes back, so a new session never meets the old one's state.
// A client that disconnects, or breaks the protocol (it gets Error first),
// before Done has its session aborted: every stage drops its state, and the
// other sessions go on untouched.
//
// Sessions survive the handler: each keeps, in <storage>/sessions/, its
// upload checkpoint (upload.h) and the results it has not yet been sent to
// completion. A client cut off from a handler that crashed or stopped
// resumes with the next one (client_protocol.h); the files go when Done is
// sent or the session is aborted. The sessions a handler finds on disk when
// it starts wait `resume_window` for their clients; a session whose client
// has not come back by then is aborted (every stage drops its state) and
// its files removed.
//
// Threads: Run() blocks, accepting; Stop() may be called from any thread and
// makes Run() return after closing every session.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "system/common/log.h"
#include "system/movies/mq/state_store.h"
#include "system/movies/pipeline/node.h"
#include "system/movies/pipeline/upload.h"

namespace chancho::movies {

struct ClientHandlerOptions {
  std::string bind_ip = "0.0.0.0";
  std::uint16_t port = 12345;
  int max_sessions = 64;
  std::chrono::milliseconds resume_window = std::chrono::minutes(5);
  NodeOptions node;  // the result collector's identity, broker and storage
  UploadRoutes routes;
};

// From CLIENT_HANDLER_PORT, MAX_SESSIONS, SESSION_RESUME_WINDOW (a
// duration), the node options and the routes.
ClientHandlerOptions ClientHandlerOptionsFromEnv(const common::EnvLookup& env);

class ClientHandler {
 public:
  ClientHandler(ClientHandlerOptions options, common::Logger& logger);
  ~ClientHandler();

  // Binds, then serves until Stop(). Throws if it cannot bind, or when the
  // result collector fails (a broker failure).
  void Run();
  void Stop();

  // The bound port (after Run started listening), for tests.
  std::uint16_t port() const { return bound_port_.load(); }

 private:
  class Session;

  void Accept(int listen_fd);
  void Deliver(const std::string& session, int query, std::string text);
  std::filesystem::path SessionsDir() const;
  mq::StateStore SessionStore(const std::string& key) const;
  std::optional<std::string> StoredResult(const std::string& key, int query) const;
  void RemoveSession(const std::string& key);
  void Reap(bool all);
  // The sessions on disk, each waiting for its client until now + window.
  void FindOrphans();
  // Takes `key` from the waiting sessions; false if it is not one.
  bool ClaimOrphan(const std::string& key);
  // Aborts and removes the waiting sessions whose time is up.
  void ExpireOrphans();

  ClientHandlerOptions options_;
  common::Logger& logger_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint16_t> bound_port_{0};
  const std::string epoch_;
  std::uint64_t next_session_ = 0;

  std::mutex mutex_;  // guards sessions_ and orphans_
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  // Sessions of an earlier handler, not resumed yet, with their deadlines.
  std::map<std::string, std::chrono::steady_clock::time_point> orphans_;
  std::vector<std::pair<std::shared_ptr<Session>, std::thread>> threads_;
};

}  // namespace chancho::movies
