#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace chancho {

// The control socket of a run: an abstract Unix stream socket (no file to
// leave behind, gone when its owner dies). One request per connection: the
// client sends one line, the server answers "ok\n<payload>" or
// "error: <message>\n" and closes.
class ControlServer {
 public:
  // Returns the payload, or throws chancho::Error with the message to send.
  using Handler = std::function<std::string(const std::string& request)>;

  // Binds `name` and starts accepting on a thread of its own; each request
  // runs on a thread of its own, so a slow request (a graceful stop) never
  // holds up the others. Throws chancho::Error if the name is taken.
  ControlServer(std::string name, Handler handler);
  // Stops accepting and waits for the requests in flight.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& name() const { return name_; }

 private:
  void AcceptLoop();
  void Serve(int connection);

  std::string name_;
  Handler handler_;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::thread acceptor_;
  std::mutex mu_;
  std::condition_variable idle_;
  int in_flight_ = 0;
};

// The socket name of the control server of the run in `run_dir`, served by
// this process: "chancho/<run id>/<pid>".
std::string ControlName(const std::filesystem::path& run_dir);

// Sends one request to the control server `name` and returns its payload.
// Throws chancho::Error when the server is unreachable, does not answer in
// time, or answers with an error.
std::string ControlRequest(const std::string& name, const std::string& request,
                           std::chrono::milliseconds timeout);

}  // namespace chancho
