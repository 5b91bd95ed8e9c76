#pragma once

// Internals of TcpProxy (tcp_proxy.h): the forwarded connections and the
// state they share with the proxy. Not part of the library's interface.
// Everything here belongs to the proxy's io thread, except the counters,
// which Stats() reads from any thread.

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "harness/proxy/tcp_proxy.h"

namespace chancho::tcp_proxy_internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class Connection;

struct Counters {
  std::atomic<std::uint64_t> accepted{0}, active{0}, reset{0}, refused{0},
      upstream_failures{0}, dropped{0};
  std::array<std::atomic<std::uint64_t>, 2> bytes{};  // by Direction
};

// What the proxy and its connections share.
struct ProxyState {
  ProxyState(asio::io_context& io, const TcpProxyOptions& options);

  // When a chunk read at `now` is due under `fault` (kDelay): delay ±
  // jitter, drawn from `random`, never before now.
  Clock::time_point Due(const LinkFault& fault, Clock::time_point now);
  // Drops a connection that ended by itself from `connections`.
  void Forget(Connection* connection);

  asio::io_context& io;
  const TcpProxyOptions& options;
  // Per direction (kClientToServer, kServerToClient): kNone, kDelay,
  // kBandwidth or kBlackhole.
  std::array<LinkFault, 2> fault{};
  std::mt19937_64 random;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;
  Counters counters;
};

// Closes with SO_LINGER 0, so that the peer gets an RST, not a FIN.
void ResetSocket(tcp::socket& socket);

struct FreeBytes {
  void operator()(char* bytes) const;
};
using Bytes = std::unique_ptr<char[], FreeBytes>;

// One direction of one connection, from `from_` to `to_`, driven by socket
// readiness (async_wait) and non-blocking calls on the io thread, so that
// this code alone decides which bytes go where, in order:
// - With no fault, bytes move with splice(2) through a kernel pipe: socket
//   to pipe to socket, the pages handed on rather than copied through user
//   space.
// - With a fault (or while bytes taken under one still wait), bytes are
//   read into chunks and written when the fault lets them go.
// When a fault is set, what sits in the kernel pipe is moved into chunks
// first, so it is delayed or dropped like the rest; after a heal the chunks
// drain before splicing resumes.
class Pipe {
 public:
  Pipe(Connection& connection, int index, tcp::socket& from, tcp::socket& to);
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Moves what can move now, then waits on the sockets or the timer.
  void Pump();
  // The direction's fault changed.
  void Kick();
  void Cancel() { timer_.cancel(); }

 private:
  struct Chunk {
    Bytes data;
    std::size_t size = 0;
    std::size_t sent = 0;
    Clock::time_point due;
  };
  const LinkFault& fault() const;
  bool Splicing() const;
  // Each returns true when it moved something (or saw EOF).
  bool ReadSome();
  bool WriteSome();
  bool WriteChunk();
  // After a failed write to `to_`: waits for room, or ends the connection.
  bool SinkError();
  void Enqueue(Bytes data, std::size_t size);
  void Recycle(Bytes data) { free_.push_back(std::move(data)); }
  // The kernel pipe's bytes into chunks.
  void Spill();
  void Await(tcp::socket& socket, tcp::socket::wait_type type, bool& flag);
  void WaitUntil(Clock::time_point until);

  Connection& connection_;
  ProxyState& state_;
  const int index_;
  tcp::socket& from_;
  tcp::socket& to_;
  asio::steady_timer timer_;
  int pipe_[2] = {-1, -1};  // read end, write end; -1: copy only
  std::size_t pipe_capacity_ = 0;
  std::size_t in_pipe_ = 0;  // bytes spliced in and not yet out
  std::deque<Chunk> queue_;
  std::vector<Bytes> free_;  // recycled buffers
  bool read_wait_ = false, write_wait_ = false, timer_wait_ = false;
  bool pump_posted_ = false, eof_ = false, shut_ = false;
  Clock::time_point tat_;  // bandwidth: theoretical arrival time
};

// A client's connection and its own to the upstream. Owned by
// state.connections and, while they are pending, by its handlers.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ProxyState& state, tcp::socket client);
  // Connects to the upstream (at most options.connect_timeout), then
  // forwards; if that fails, the client is reset and counted.
  void Start(const tcp::endpoint& upstream);
  // The fault of `direction` (0 or 1) changed.
  void Kick(int direction);
  // RST on both sides; the caller forgets the connection.
  void Reset();
  // FIN on both sides (the proxy stops); the caller forgets it.
  void Close();
  // A peer failed: reset the other side and forget the connection.
  void Abort();
  // A pipe passed its source's EOF on; the second one ends the connection.
  void PipeDone();

  ProxyState& state_;
  tcp::socket client_;
  tcp::socket server_;
  asio::steady_timer connect_timer_;
  std::array<Pipe, 2> pipes_;
  bool started_ = false;  // connected upstream; the pipes run
  bool closed_ = false;
  int pipes_done_ = 0;
};

}  // namespace chancho::tcp_proxy_internal
