#pragma once

// A TCP fault proxy: the runtime places it between a service and its
// upstream (the broker), and network faults are injected on the link it
// forwards: delay with jitter, a bandwidth limit, a blackhole, resets and a
// partition, per direction, each with an optional duration.
//
// Threads: the proxy runs its sockets on its own io_context thread. Every
// public method may be called from any thread. SetFault() and Heal() hand
// their work to that thread and wait for it, at most `control_timeout`;
// Stats() and port() only read.
//
// Errors: the constructor throws chancho::Error when the listen address or
// the upstream cannot be used; SetFault() throws chancho::Error for a fault
// that makes no sense (a bandwidth of 0). Everything that happens to a
// forwarded connection (the upstream refuses, a peer resets) only ends that
// connection and is counted in Stats(); nothing throws out of the io thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace chancho {

// The direction of a link that a fault applies to. The client is the peer
// that connected to the proxy; the server is the upstream.
enum class Direction { kClientToServer, kServerToClient, kBoth };
std::string_view ToString(Direction direction);

enum class LinkFaultKind {
  kNone,       // forward as fast as possible (heals the direction)
  kDelay,      // each chunk is delivered `delay` ± `jitter` after it was read
  kBandwidth,  // a token bucket of `bytes_per_second`
  kBlackhole,  // bytes are read and dropped; connections stay open
  kReset,      // connections are reset (RST), new ones right after accept
  kPartition,  // connections are reset, new ones refused (see TcpProxy)
};
std::string_view ToString(LinkFaultKind kind);

// One fault on a link, as plain data.
struct LinkFault {
  LinkFaultKind kind = LinkFaultKind::kNone;
  std::chrono::milliseconds delay{0};   // kDelay
  std::chrono::milliseconds jitter{0};  // kDelay: uniform in [-jitter, +jitter]
  std::uint64_t bytes_per_second = 0;   // kBandwidth, > 0
  // How long the fault lasts; then the proxy heals it by itself. Zero: until
  // Heal() or until another fault replaces it.
  std::chrono::milliseconds duration{0};

  bool operator==(const LinkFault&) const = default;
};

// Whether a fault took effect, and what was seen.
struct LinkFaultOutcome {
  bool took_effect = false;
  int connections_reset = 0;  // active connections reset by this fault
  std::string detail;         // what was done, or why not
};

// Counters since the proxy started. Connections reset or refused by a fault
// are counted apart from those accepted and forwarded.
struct TcpProxyStats {
  // Accepted and forwarded (connecting to the upstream may still fail).
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_active = 0;
  std::uint64_t connections_reset = 0;    // by kReset/kPartition, either side
  std::uint64_t connections_refused = 0;  // new connections under kPartition
  std::uint64_t upstream_failures = 0;    // connect to the upstream failed
  std::uint64_t bytes_client_to_server = 0;  // delivered to the upstream
  std::uint64_t bytes_server_to_client = 0;  // delivered to the client
  std::uint64_t bytes_dropped = 0;           // by a blackhole
};

struct TcpProxyOptions {
  std::string listen_ip = "127.0.0.1";  // IPv4 address to listen on
  std::uint16_t listen_port = 0;        // 0: an ephemeral port, see port()
  std::string upstream_host;  // IPv4 address or a name that resolves to one
  std::uint16_t upstream_port = 0;
  std::uint64_t seed = 0;  // for the delay jitter
  // Bytes per read while a direction has a fault (without one, bytes move
  // by splice(2) through a kernel pipe and never reach a buffer).
  std::size_t buffer_size = 64 * 1024;
  // At most this many chunks wait per direction and connection (delayed or
  // throttled); then the proxy stops reading and TCP pushes back.
  std::size_t max_queued_chunks = 64;
  std::chrono::milliseconds connect_timeout{5000};  // to the upstream
  std::chrono::milliseconds control_timeout{5000};  // SetFault, Heal
};

// Listens on options.listen_ip:listen_port and forwards every accepted
// connection to the upstream, with TCP_NODELAY on both sides. The upstream
// is resolved once, at construction, and connected to for each accepted
// connection; if that fails the client's connection is reset. A close (FIN)
// is passed on as a half-close, a reset (RST) as a reset.
//
// Without a fault, a direction moves its bytes with splice(2), socket to
// kernel pipe to socket, with no copy through the proxy (BENCHMARKS.md, "TCP
// fault proxy"); with one, through buffers, as below.
//
// Faults, per direction and per connection (both directions have their own
// state; kBoth sets both):
// - kDelay: every chunk read is delivered after delay ± jitter (seeded from
//   options.seed), never before an earlier chunk, so order is preserved.
// - kBandwidth: delivery is throttled by a token bucket of bytes_per_second
//   (burst: 1/50 s of data, at least 1 byte, at most one buffer).
// - kBlackhole: bytes are read and dropped (counted in bytes_dropped), so
//   the sender's writes succeed while nothing arrives; chunks already
//   delayed are dropped too. A close (FIN) from the sender is held back and
//   passed on when the direction heals.
// - kReset and kPartition act on whole connections, whatever the direction:
//   every active connection is closed with SO_LINGER 0 on both sides (both
//   peers see ECONNRESET). Under kReset each new connection is reset right
//   after accept; under kPartition each new connection is refused, by
//   accept-and-reset, counted in connections_refused. The proxy does not
//   close its acceptor for a partition: that would give the port back to
//   the kernel, which may hand it to someone else before the heal; the
//   service must find the proxy at the same address afterwards, and only
//   the proxy's own accept lets it count (and so prove) each refusal. The
//   client sees its connect() succeed and then ECONNRESET or EOF on its
//   first read or write, which a client treats like a refusal.
//
// The two kinds of faults are independent: a kReset/kPartition replaces the
// previous kReset/kPartition and leaves the directions' delay, bandwidth or
// blackhole in place; those replace what their direction had.
//
// Heal() turns every fault off: delayed chunks go out at once, in order;
// blackholed data is dropped, not replayed. kNone for a direction heals that
// direction, and also lifts a kReset/kPartition. The destructor closes the
// acceptor and every connection (a plain close, FIN) and joins the thread.
class TcpProxy {
 public:
  explicit TcpProxy(TcpProxyOptions options);
  ~TcpProxy();

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The port the proxy listens on (the ephemeral one when 0 was asked for).
  std::uint16_t port() const;
  const std::string& listen_ip() const;

  // Installs `fault` on `direction`, replacing what was there. Returns once
  // it is in place on every active connection: took_effect is false only if
  // the proxy could not apply it (stopping, or no answer from its thread
  // within control_timeout). Throws chancho::Error if `fault` is invalid.
  LinkFaultOutcome SetFault(Direction direction, const LinkFault& fault);

  // Turns every fault off, on both directions, and cancels their durations.
  LinkFaultOutcome Heal();

  TcpProxyStats Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
