#include "harness/proxy/tcp_proxy_link.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <new>

#include "harness/proxy/tcp_proxy_stage.h"

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

bool ProxyState::Applies(double toxicity) {
  if (toxicity >= 1) return true;
  if (!(toxicity > 0)) return false;
  return std::uniform_real_distribution<double>(0, 1)(random) < toxicity;
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
  Restack();
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

std::size_t Pipe::Waiting() const {
  std::size_t waiting = out_.size();
  for (const auto& stage : stages_) waiting += stage->size();
  return waiting;
}

bool Pipe::Splicing() const {
  return pipe_[0] >= 0 && !active_ && !eof_queued_ && Waiting() == 0;
}

void Pipe::Restack() {
  const std::vector<InstalledToxic>& toxics = state_.toxics[index_];
  const Clock::time_point now = Clock::now();
  std::vector<std::unique_ptr<Stage>> next(toxics.size());
  // What removed stages held, newest last; it goes on into the next stage
  // that stays. Stages that stay keep their order (toxics are appended,
  // updated in place or removed).
  std::deque<Piece> carry;
  std::size_t after_kept = 0;
  for (std::unique_ptr<Stage>& stage : stages_) {
    const auto kept = std::find_if(
        toxics.begin(), toxics.end(),
        [&](const InstalledToxic& t) { return t.id == stage->id(); });
    if (kept == toxics.end()) {
      // Its pieces are older than those of the removed stages before it.
      std::deque<Piece> held = stage->TakeAll();
      std::move(carry.begin(), carry.end(), std::back_inserter(held));
      carry = std::move(held);
      continue;
    }
    stage->Update(*kept, now);
    for (Piece& piece : carry) stage->Enter(std::move(piece), now);
    carry.clear();
    after_kept = static_cast<std::size_t>(kept - toxics.begin()) + 1;
    next[after_kept - 1] = std::move(stage);
  }
  for (std::size_t i = 0; i < toxics.size(); ++i) {
    if (!next[i]) next[i] = std::make_unique<Stage>(state_, toxics[i], now);
  }
  stages_ = std::move(next);
  active_ = std::any_of(stages_.begin(), stages_.end(),
                        [](const auto& stage) { return stage->applies(); });
  for (Piece& piece : carry) Enter(after_kept, std::move(piece), now);
}

void Pipe::Enter(std::size_t stage, Piece piece, Clock::time_point now) {
  if (stage < stages_.size()) {
    stages_[stage]->Enter(std::move(piece), now);
  } else {
    out_.push_back(std::move(piece));
  }
}

void Pipe::QueueEof() {
  eof_queued_ = true;
  Enter(0, {.mark = Piece::Mark::kEof}, Clock::now());
}

Clock::time_point Pipe::Advance() {
  Clock::time_point wake = Clock::time_point::max();
  if (stages_.empty()) return wake;
  const Clock::time_point now = Clock::now();
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    Stage& stage = *stages_[i];
    if (stage.Expired(now)) {
      connection_.Finish();
      return wake;
    }
    Piece piece;
    while (stage.Leave(now, piece, wake)) Enter(i + 1, std::move(piece), now);
  }
  return wake;
}

void Pipe::Pump() {
  // A bounded number of rounds per turn, so that one busy connection does
  // not starve the others; then the rest is posted behind them.
  constexpr int kRounds = 16;
  Clock::time_point wake = Clock::time_point::max();
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
    wake = Advance();
    const bool wrote = !connection_.closed_ && WriteSome();
    const bool read = !connection_.closed_ && ReadSome();
    if (!wrote && !read) break;
  }
  if (connection_.closed_) return;
  WaitUntil(wake);
  // A close that went into the stages is passed on when it comes out of
  // them (a blackhole holds it); one read while splicing, at once.
  if (!eof_ || shut_ || in_pipe_ > 0 || (eof_queued_ && !eof_passed_)) return;
  shut_ = true;
  error_code ignored;
  to_.shutdown(tcp::socket::shutdown_send, ignored);
  connection_.PipeDone();
}

bool Pipe::ReadSome() {
  if (eof_ || read_wait_) return false;
  const int fd = from_.native_handle();
  const bool splicing = Splicing();
  ssize_t n = 0;
  if (splicing) {
    if (in_pipe_ >= pipe_capacity_) return false;
    n = ::splice(fd, nullptr, pipe_[1], nullptr, pipe_capacity_ - in_pipe_,
                 SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) in_pipe_ += static_cast<std::size_t>(n);
    // With bytes in the pipe, EAGAIN may mean that the pipe is full (its
    // slots hold partial pages) rather than that the socket is empty: the
    // writer's next progress tries again.
    if (n < 0 && errno == EAGAIN && in_pipe_ > 0) return false;
  } else {
    if (Waiting() >= state_.options.max_queued_chunks) return false;
    Bytes buffer;
    if (free_.empty()) {
      buffer = AllocateBytes(state_.options.buffer_size);
    } else {
      buffer = std::move(free_.back());
      free_.pop_back();
    }
    n = ::recv(fd, buffer.get(), state_.options.buffer_size, MSG_DONTWAIT);
    if (n > 0) {
      Enter(0,
            {.block = std::make_shared<Block>(Block{std::move(buffer)}),
             .size = static_cast<std::size_t>(n)},
            Clock::now());
    } else {
      Recycle(std::move(buffer));
    }
  }
  if (n > 0) return true;
  if (n == 0) {
    eof_ = true;
    if (!splicing) QueueEof();
    return true;
  }
  if (errno == EINTR) return true;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    Await(from_, tcp::socket::wait_read, read_wait_);
    return false;
  }
  connection_.Abort();  // ECONNRESET and the like: pass it on
  return false;
}

bool Pipe::WriteSome() {
  if (write_wait_) return false;
  if (in_pipe_ == 0) return WriteChunk();
  const ssize_t n = ::splice(pipe_[0], nullptr, to_.native_handle(), nullptr,
                             in_pipe_, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n <= 0) return SinkError();
  in_pipe_ -= static_cast<std::size_t>(n);
  state_.counters.bytes[index_].fetch_add(n, std::memory_order_relaxed);
  return true;
}

bool Pipe::WriteChunk() {
  if (out_.empty()) return false;
  Piece& piece = out_.front();
  if (piece.mark == Piece::Mark::kEof) {
    eof_passed_ = true;
    out_.pop_front();
    return true;
  }
  if (piece.mark == Piece::Mark::kClose) {
    connection_.Finish();
    return false;
  }
  const ssize_t n = ::send(to_.native_handle(), piece.data(), piece.size,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n <= 0) return SinkError();
  state_.counters.bytes[index_].fetch_add(n, std::memory_order_relaxed);
  piece.offset += static_cast<std::size_t>(n);
  if ((piece.size -= static_cast<std::size_t>(n)) == 0) {
    // The last piece of its buffer gives the buffer back.
    if (piece.block.use_count() == 1) Recycle(std::move(piece.block->data));
    out_.pop_front();
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
    Enter(0,
          {.block = std::make_shared<Block>(Block{std::move(buffer)}),
           .size = static_cast<std::size_t>(n)},
          Clock::now());
  }
}

void Pipe::Kick() {
  Restack();
  if (!connection_.started_ || connection_.closed_) return;
  if (active_) {
    Spill();
    // A close read while splicing follows the spilled bytes.
    if (eof_ && !eof_queued_ && !shut_) QueueEof();
  }
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
  if (until >= timer_due_) return;
  timer_due_ = until;
  timer_.expires_at(until);  // a wait for later completes as aborted
  timer_.async_wait(
      [this, self = connection_.shared_from_this()](const error_code& ec) {
        if (ec) return;
        timer_due_ = Clock::time_point::max();
        Pump();
      });
}

Connection::Connection(ProxyState& state, tcp::socket client)
    : state_(state),
      serial_(++state.next_serial),
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
  if (!closed_) pipes_[direction].Kick();
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

void Connection::Finish() {
  if (closed_) return;
  closed_ = true;
  connect_timer_.cancel();
  for (Pipe& pipe : pipes_) pipe.Cancel();
  for (tcp::socket* socket : {&server_, &client_}) {
    error_code ignored;
    socket->shutdown(tcp::socket::shutdown_send, ignored);
    char sink[16 * 1024];
    for (int i = 0; i < 64; ++i) {
      if (::recv(socket->native_handle(), sink, sizeof(sink), MSG_DONTWAIT) <=
          0) {
        break;
      }
    }
    socket->close(ignored);
  }
  state_.counters.closed_by_toxic.fetch_add(1);
  state_.Forget(this);
}

void Connection::PipeDone() {
  if (++pipes_done_ < 2) return;
  Close();
  state_.Forget(this);
}

}  // namespace chancho::tcp_proxy_internal
