#pragma once

// Internals of TcpProxy (tcp_proxy.h): the forwarded connections, the
// toxics' pieces, and the state they share with the proxy. Not part of the
// library's interface.
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
class Stage;

struct Counters {
  std::atomic<std::uint64_t> accepted{0}, active{0}, reset{0}, refused{0},
      upstream_failures{0}, dropped{0}, closed_by_toxic{0};
  std::array<std::atomic<std::uint64_t>, 2> bytes{};  // by Direction
};

// A toxic as installed: `id` stays with it while it is installed, through
// its updates; `version` changes with each update.
struct InstalledToxic {
  Toxic toxic;
  std::uint64_t id = 0;
  std::uint64_t version = 0;
};

// What the proxy and its connections share.
struct ProxyState {
  ProxyState(asio::io_context& io, const TcpProxyOptions& options);

  // When a chunk that came in at `now` is due under `fault` (kDelay): delay
  // ± jitter, drawn from `random`, never before now.
  Clock::time_point Due(const LinkFault& fault, Clock::time_point now);
  // Whether a toxic of `toxicity` applies to one more connection; draws
  // from `random` only strictly between 0 and 1.
  bool Applies(double toxicity);
  // Drops a connection that ended by itself from `connections`.
  void Forget(Connection* connection);

  asio::io_context& io;
  const TcpProxyOptions& options;
  // Per direction (kClientToServer, kServerToClient), in order.
  std::array<std::vector<InstalledToxic>, 2> toxics{};
  std::mt19937_64 random;
  std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;
  std::uint64_t next_serial = 0;  // of connections, in accept order
  Counters counters;
};

// Closes with SO_LINGER 0, so that the peer gets an RST, not a FIN.
void ResetSocket(tcp::socket& socket);

struct FreeBytes {
  void operator()(char* bytes) const;
};
using Bytes = std::unique_ptr<char[], FreeBytes>;

// Bytes read, shared by the pieces cut from them.
struct Block {
  Bytes data;
};

// A piece of a chunk read, or a mark in the stream, on its way through a
// direction's toxics (Stage) to the socket.
struct Piece {
  enum class Mark {
    kData,
    kEof,    // the sender's close (FIN), to be passed on
    kClose,  // a toxic closes the connection here (kLimitData)
  };
  std::shared_ptr<Block> block{};  // kData
  std::size_t offset = 0;
  std::size_t size = 0;
  Mark mark = Mark::kData;
  Clock::time_point ready{};  // when it may leave the toxic it is in

  char* data() const { return block->data.get() + offset; }
  // The first `n` (< size) bytes, cut off this piece.
  Piece Cut(std::size_t n);
};

// One direction of one connection, from `from_` to `to_`, driven by socket
// readiness (async_wait) and non-blocking calls on the io thread, so that
// this code alone decides which bytes go where, in order:
// - With no toxic that applies, bytes move with splice(2) through a kernel
//   pipe: socket to pipe to socket, the pages handed on rather than copied
//   through user space.
// - With one (or while pieces taken under one still wait), bytes are read
//   into chunks that pass through one Stage per toxic of the direction, in
//   order, into `out_`, which is written as the socket takes it.
// When a toxic comes to apply, what sits in the kernel pipe is moved into
// chunks first, so it passes the toxics like the rest; when none applies
// any more, the pieces drain before splicing resumes.
class Pipe {
 public:
  Pipe(Connection& connection, int index, tcp::socket& from, tcp::socket& to);
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Moves what can move now, then waits on the sockets or the timer.
  void Pump();
  // The direction's toxics changed: takes them on, and pumps once started.
  void Kick();
  void Cancel() { timer_.cancel(); }

 private:
  bool Splicing() const;
  // Pieces held by the stages and in out_.
  std::size_t Waiting() const;
  // Makes stages_ follow state_.toxics (tcp_proxy.h, "Changing a
  // direction's toxics").
  void Restack();
  // Moves pieces on through the stages; returns when a stage next may move
  // one (max: no time), or ends the connection for a kTimeout.
  Clock::time_point Advance();
  // `piece` comes into stage `stage` (stages_.size(): out_) at `now`.
  void Enter(std::size_t stage, Piece piece, Clock::time_point now);
  void QueueEof();
  // Each returns true when it moved something (or saw EOF).
  bool ReadSome();
  bool WriteSome();
  bool WriteChunk();
  // After a failed write to `to_`: waits for room, or ends the connection.
  bool SinkError();
  void Recycle(Bytes data) { free_.push_back(std::move(data)); }
  // The kernel pipe's bytes into chunks.
  void Spill();
  void Await(tcp::socket& socket, tcp::socket::wait_type type, bool& flag);
  // Pumps at `until` (or earlier, if already due then); max: never.
  void WaitUntil(Clock::time_point until);

  Connection& connection_;
  ProxyState& state_;
  const int index_;
  tcp::socket& from_;
  tcp::socket& to_;
  asio::steady_timer timer_;
  Clock::time_point timer_due_ = Clock::time_point::max();
  int pipe_[2] = {-1, -1};  // read end, write end; -1: copy only
  std::size_t pipe_capacity_ = 0;
  std::size_t in_pipe_ = 0;  // bytes spliced in and not yet out
  std::vector<Bytes> free_;  // recycled buffers
  // One per toxic of the direction, in order.
  std::vector<std::unique_ptr<Stage>> stages_;
  bool active_ = false;    // a toxic applies to this connection
  std::deque<Piece> out_;  // through every stage, to be written
  bool read_wait_ = false, write_wait_ = false;
  bool pump_posted_ = false, eof_ = false, shut_ = false;
  // The sender's close went into the stages, and came out of them.
  bool eof_queued_ = false, eof_passed_ = false;
};

// A client's connection and its own to the upstream. Owned by
// state.connections and, while they are pending, by its handlers.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ProxyState& state, tcp::socket client);
  // Connects to the upstream (at most options.connect_timeout), then
  // forwards; if that fails, the client is reset and counted.
  void Start(const tcp::endpoint& upstream);
  // The toxics of `direction` (0 or 1) changed.
  void Kick(int direction);
  // RST on both sides; the caller forgets the connection.
  void Reset();
  // FIN on both sides (the proxy stops); the caller forgets it.
  void Close();
  // A peer failed: reset the other side and forget the connection.
  void Abort();
  // A toxic ends the connection: FIN on both sides, after dropping what is
  // unread (which would turn the close into an RST); forgets it.
  void Finish();
  // A pipe passed its source's EOF on; the second one ends the connection.
  void PipeDone();

  ProxyState& state_;
  const std::uint64_t serial_;  // accept order
  tcp::socket client_;
  tcp::socket server_;
  asio::steady_timer connect_timer_;
  std::array<Pipe, 2> pipes_;
  bool started_ = false;  // connected upstream; the pipes run
  bool closed_ = false;
  int pipes_done_ = 0;
};

}  // namespace chancho::tcp_proxy_internal
