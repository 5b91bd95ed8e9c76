#include "harness/proxy/tcp_proxy_link.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <new>

namespace chancho::tcp_proxy_internal {
namespace {

using boost::system::error_code;

// Kernel pipe per direction for splice(2): it holds page references, not
// copies, and 256 KiB keeps a connection's two pipes at 128 pages, far below
// the per-user soft limit of pipe pages even with hundreds of connections.
constexpr std::size_t kPipeBytes = 256 * 1024;

// Buffers are page-aligned: on some CPUs the kernel copies socket data into
// a buffer that starts mid-page (as malloc's large blocks do) several times
// slower (see BENCHMARKS.md, the comparator).
Bytes AllocateBytes(std::size_t size) {
  constexpr std::size_t kPage = 4096;
  void* bytes = std::aligned_alloc(kPage, (size + kPage - 1) / kPage * kPage);
  if (bytes == nullptr) throw std::bad_alloc();
  return Bytes(static_cast<char*>(bytes));
}

}  // namespace

void FreeBytes::operator()(char* bytes) const { std::free(bytes); }

void ResetSocket(tcp::socket& socket) {
  if (!socket.is_open()) return;
  error_code ec;
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

ProxyState::ProxyState(asio::io_context& io, const TcpProxyOptions& options)
    : io(io), options(options), random(options.seed) {}

Clock::time_point ProxyState::Due(const LinkFault& fault,
                                  Clock::time_point now) {
  using std::chrono::microseconds;
  const auto jitter = microseconds(fault.jitter).count();
  auto offset = microseconds(fault.delay);
  if (jitter > 0) {
    offset += microseconds(
        std::uniform_int_distribution<std::int64_t>(-jitter, jitter)(random));
  }
  return now + std::max(offset, microseconds(0));
}

void ProxyState::Forget(Connection* connection) {
  connections.erase(connection);
  counters.active = connections.size();
}

Pipe::Pipe(Connection& connection, int index, tcp::socket& from,
           tcp::socket& to)
    : connection_(connection),
      state_(connection.state_),
      index_(index),
      from_(from),
      to_(to),
      timer_(connection.state_.io) {
  // Without a kernel pipe (out of descriptors) the copy path does it all.
  if (::pipe2(pipe_, O_NONBLOCK | O_CLOEXEC) != 0) {
    pipe_[0] = pipe_[1] = -1;
    return;
  }
  ::fcntl(pipe_[1], F_SETPIPE_SZ, static_cast<int>(kPipeBytes));
  const int capacity = ::fcntl(pipe_[1], F_GETPIPE_SZ);
  pipe_capacity_ = capacity > 0 ? static_cast<std::size_t>(capacity) : 4096;
}

Pipe::~Pipe() {
  for (int fd : pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

const LinkFault& Pipe::fault() const { return state_.fault[index_]; }

bool Pipe::Splicing() const {
  return pipe_[0] >= 0 && queue_.empty() &&
         fault().kind == LinkFaultKind::kNone;
}

void Pipe::Pump() {
  // A bounded number of rounds per turn, so that one busy connection does
  // not starve the others; then the rest is posted behind them.
  constexpr int kRounds = 16;
  for (int round = 0; !connection_.closed_; ++round) {
    if (round == kRounds) {
      if (!pump_posted_) {
        pump_posted_ = true;
        asio::post(state_.io, [this, self = connection_.shared_from_this()] {
          pump_posted_ = false;
          Pump();
        });
      }
      return;
    }
    const bool wrote = WriteSome();
    const bool read = !connection_.closed_ && ReadSome();
    if (!wrote && !read) break;
  }
  if (connection_.closed_ || !eof_ || shut_ || in_pipe_ > 0 ||
      !queue_.empty() || fault().kind == LinkFaultKind::kBlackhole) {
    return;  // under a blackhole the EOF waits for the heal, like the data
  }
  shut_ = true;
  error_code ignored;
  to_.shutdown(tcp::socket::shutdown_send, ignored);
  connection_.PipeDone();
}

bool Pipe::ReadSome() {
  if (eof_ || read_wait_) return false;
  const int fd = from_.native_handle();
  ssize_t n = 0;
  if (Splicing()) {
    if (in_pipe_ >= pipe_capacity_) return false;
    n = ::splice(fd, nullptr, pipe_[1], nullptr, pipe_capacity_ - in_pipe_,
                 SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) in_pipe_ += static_cast<std::size_t>(n);
    // With bytes in the pipe, EAGAIN may mean that the pipe is full (its
    // slots hold partial pages) rather than that the socket is empty: the
    // writer's next progress tries again.
    if (n < 0 && errno == EAGAIN && in_pipe_ > 0) return false;
  } else {
    if (queue_.size() >= state_.options.max_queued_chunks) return false;
    Bytes buffer;
    if (free_.empty()) {
      buffer = AllocateBytes(state_.options.buffer_size);
    } else {
      buffer = std::move(free_.back());
      free_.pop_back();
    }
    n = ::recv(fd, buffer.get(), state_.options.buffer_size, MSG_DONTWAIT);
    if (n > 0) {
      Enqueue(std::move(buffer), static_cast<std::size_t>(n));
    } else {
      Recycle(std::move(buffer));
    }
  }
  if (n > 0) return true;
  if (n == 0) return eof_ = true;
  if (errno == EINTR) return true;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    Await(from_, tcp::socket::wait_read, read_wait_);
    return false;
  }
  connection_.Abort();  // ECONNRESET and the like: pass it on
  return false;
}

void Pipe::Enqueue(Bytes data, std::size_t size) {
  const LinkFault& fault = this->fault();
  if (fault.kind == LinkFaultKind::kBlackhole) {
    state_.counters.dropped.fetch_add(size, std::memory_order_relaxed);
    return Recycle(std::move(data));
  }
  // Chunks leave in the order they came whatever their due times: a chunk
  // due before the one ahead of it goes right after it.
  queue_.push_back({std::move(data), size, 0,
                    fault.kind == LinkFaultKind::kDelay
                        ? state_.Due(fault, Clock::now())
                        : Clock::time_point::min()});
}

bool Pipe::WriteSome() {
  if (write_wait_ || timer_wait_) return false;
  if (in_pipe_ == 0) return WriteChunk();
  const ssize_t n = ::splice(pipe_[0], nullptr, to_.native_handle(), nullptr,
                             in_pipe_, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n <= 0) return SinkError();
  in_pipe_ -= static_cast<std::size_t>(n);
  state_.counters.bytes[index_].fetch_add(n, std::memory_order_relaxed);
  return true;
}

bool Pipe::WriteChunk() {
  if (queue_.empty()) return false;
  const LinkFault& fault = this->fault();
  if (fault.kind == LinkFaultKind::kBlackhole) {
    // The link is down: what waits is lost.
    for (Chunk& chunk : queue_) {
      state_.counters.dropped.fetch_add(chunk.size - chunk.sent,
                                        std::memory_order_relaxed);
      Recycle(std::move(chunk.data));
    }
    queue_.clear();
    return true;
  }
  Chunk& chunk = queue_.front();
  std::size_t size = chunk.size - chunk.sent;
  const Clock::time_point now = Clock::now();
  if (fault.kind == LinkFaultKind::kDelay && chunk.due > now) {
    WaitUntil(chunk.due);
    return false;
  }
  // GCRA: each byte moves the theoretical arrival time by 1/rate, and a
  // piece may go once that time is at most one burst ahead of now.
  const std::uint64_t rate = fault.bytes_per_second;
  const auto cost = [rate](std::uint64_t bytes) {
    return std::chrono::nanoseconds(bytes * 1'000'000'000ull / rate);
  };
  if (fault.kind == LinkFaultKind::kBandwidth) {
    const std::uint64_t burst =
        std::clamp<std::uint64_t>(rate / 50, 1, state_.options.buffer_size);
    tat_ = std::max(tat_, now);
    if (tat_ - cost(burst) > now) {
      WaitUntil(tat_ - cost(burst));
      return false;
    }
    size = std::min<std::size_t>(size, burst);
  }
  const ssize_t n = ::send(to_.native_handle(), chunk.data.get() + chunk.sent,
                           size, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n <= 0) return SinkError();
  state_.counters.bytes[index_].fetch_add(n, std::memory_order_relaxed);
  if (fault.kind == LinkFaultKind::kBandwidth) tat_ += cost(n);
  if ((chunk.sent += static_cast<std::size_t>(n)) == chunk.size) {
    Recycle(std::move(chunk.data));
    queue_.pop_front();
  }
  return true;
}

bool Pipe::SinkError() {
  if (errno == EINTR) return true;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    Await(to_, tcp::socket::wait_write, write_wait_);
    return false;
  }
  connection_.Abort();  // EPIPE, ECONNRESET: pass it on
  return false;
}

void Pipe::Spill() {
  while (in_pipe_ > 0) {
    Bytes buffer = AllocateBytes(state_.options.buffer_size);
    const ssize_t n = ::read(pipe_[0], buffer.get(),
                             std::min(in_pipe_, state_.options.buffer_size));
    if (n <= 0) return;  // cannot happen: the bytes are in the pipe
    in_pipe_ -= static_cast<std::size_t>(n);
    Enqueue(std::move(buffer), static_cast<std::size_t>(n));
  }
}

void Pipe::Kick() {
  if (connection_.closed_) return;
  if (fault().kind != LinkFaultKind::kNone) Spill();
  timer_.cancel();  // a delay or a throttle waits no more: decide again
  Pump();
}

void Pipe::Await(tcp::socket& socket, tcp::socket::wait_type type, bool& flag) {
  flag = true;
  socket.async_wait(type, [this, &flag, self = connection_.shared_from_this()](
                              const error_code&) {
    // Aborted when the connection ends; Pump() then does nothing.
    flag = false;
    Pump();
  });
}

void Pipe::WaitUntil(Clock::time_point until) {
  timer_wait_ = true;
  timer_.expires_at(until);
  timer_.async_wait(
      [this, self = connection_.shared_from_this()](const error_code&) {
        timer_wait_ = false;
        Pump();
      });
}

Connection::Connection(ProxyState& state, tcp::socket client)
    : state_(state),
      client_(std::move(client)),
      server_(state.io),
      connect_timer_(state.io),
      pipes_{Pipe(*this, 0, client_, server_),
             Pipe(*this, 1, server_, client_)} {}

void Connection::Start(const tcp::endpoint& upstream) {
  connect_timer_.expires_after(state_.options.connect_timeout);
  connect_timer_.async_wait(
      [this, self = shared_from_this()](const error_code& ec) {
        if (!ec) server_.close();  // the connect completes as aborted
      });
  server_.async_connect(
      upstream, [this, self = shared_from_this()](const error_code& ec) {
        connect_timer_.cancel();
        if (closed_) return;
        if (ec) {
          state_.counters.upstream_failures.fetch_add(1);
          return Abort();
        }
        // The pipes make their own non-blocking calls on the sockets.
        for (tcp::socket* socket : {&client_, &server_}) {
          error_code failed;
          socket->set_option(tcp::no_delay(true), failed);
          if (!failed) socket->native_non_blocking(true, failed);
          if (failed) return Abort();
        }
        started_ = true;
        for (Pipe& pipe : pipes_) pipe.Pump();
      });
}

void Connection::Kick(int direction) {
  if (started_ && !closed_) pipes_[direction].Kick();
}

void Connection::Reset() {
  closed_ = true;
  connect_timer_.cancel();
  for (Pipe& pipe : pipes_) pipe.Cancel();
  ResetSocket(client_);
  ResetSocket(server_);
}

void Connection::Close() {
  closed_ = true;
  connect_timer_.cancel();
  for (Pipe& pipe : pipes_) pipe.Cancel();
  error_code ignored;
  client_.close(ignored);
  server_.close(ignored);
}

void Connection::Abort() {
  if (closed_) return;
  Reset();
  state_.Forget(this);
}

void Connection::PipeDone() {
  if (++pipes_done_ < 2) return;
  Close();
  state_.Forget(this);
}

}  // namespace chancho::tcp_proxy_internal
