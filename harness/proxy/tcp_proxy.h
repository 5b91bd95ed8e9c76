#pragma once

// A TCP fault proxy: the runtime places it between a service and its
// upstream (the broker), and network faults are injected on the link it
// forwards: delay with jitter, a bandwidth limit, a blackhole, resets and a
// partition, and the toxics of Toxiproxy (a slow close, a timeout, a
// slicer, a data limit), per direction, each with an optional duration and
// a toxicity, several stacked on one direction.
//
// Threads: the proxy runs its sockets on its own io_context thread. Every
// public method may be called from any thread. SetFault(), Heal() and the
// toxic methods hand their work to that thread and wait for it, at most
// `control_timeout`; Toxics(), Stats() and port() only read.
//
// Errors: the constructor throws chancho::Error when the listen address or
// the upstream cannot be used; SetFault(), AddToxic() and UpdateToxic()
// throw chancho::Error for a fault that makes no sense (a bandwidth of 0).
// Everything that happens to a forwarded connection (the upstream refuses,
// a peer resets) only ends that connection and is counted in Stats();
// nothing throws out of the io thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chancho {

// The direction of a link that a fault applies to. The client is the peer
// that connected to the proxy; the server is the upstream.
enum class Direction { kClientToServer, kServerToClient, kBoth };
std::string_view ToString(Direction direction);
// Toxiproxy's name of a direction: "upstream" (client to server) or
// "downstream" (server to client); "both" for kBoth.
std::string_view StreamName(Direction direction);

enum class LinkFaultKind {
  kNone,       // forward as fast as possible (heals the direction)
  kDelay,      // each chunk is delivered `delay` ± `jitter` after it was read
  kBandwidth,  // a token bucket of `bytes_per_second`
  kBlackhole,  // bytes are read and dropped; connections stay open
  kReset,      // connections are reset (RST), new ones right after accept
  kPartition,  // connections are reset, new ones refused (see TcpProxy)
  kSlowClose,  // the close (FIN) is passed on `delay` late
  kTimeout,    // bytes are dropped; the connection is closed after `timeout`
  kSlicer,     // chunks are cut into pieces, `slice_delay` apart
  kLimitData,  // the connection is closed after `bytes` bytes
};
std::string_view ToString(LinkFaultKind kind);

// One fault on a link, as plain data, and the faults stacked after it.
struct LinkFault {
  LinkFaultKind kind = LinkFaultKind::kNone;
  std::chrono::milliseconds delay{0};   // kDelay, kSlowClose
  std::chrono::milliseconds jitter{0};  // kDelay: uniform in [-jitter, +jitter]
  std::uint64_t bytes_per_second = 0;   // kBandwidth, > 0
  // How long the fault lasts; then the proxy heals it by itself. Zero: until
  // Heal() or until another fault replaces it.
  std::chrono::milliseconds duration{0};
  std::chrono::milliseconds timeout{0};      // kTimeout; 0: never closes
  std::uint64_t average_size = 0;            // kSlicer: bytes per piece, > 0
  std::uint64_t size_variation = 0;          // kSlicer: ±, below average_size
  std::chrono::microseconds slice_delay{0};  // kSlicer: between pieces
  std::uint64_t bytes = 0;                   // kLimitData
  // The chance, 0 to 1, that the fault applies to a connection (Toxiproxy's
  // toxicity): each connection draws once, see TcpProxy.
  double toxicity = 1.0;
  // Faults applied after this one on the same direction, in order, none
  // with a stack of its own; see TcpProxy, "Toxics".
  std::vector<LinkFault> stacked{};

  bool operator==(const LinkFault&) const = default;
};

// A named fault on one direction of the link: what Toxiproxy calls a toxic.
// Names are unique across both directions of a proxy.
struct Toxic {
  // Empty: "<kind>_<stream>", as Toxiproxy names them ("slicer_downstream").
  std::string name;
  Direction stream = Direction::kClientToServer;  // not kBoth
  // Any kind but kNone, kReset and kPartition; nothing stacked.
  LinkFault fault;

  bool operator==(const Toxic&) const = default;
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
  // By a blackhole or a timeout, and past a limit_data.
  std::uint64_t bytes_dropped = 0;
  // Closed (FIN on both sides) by a timeout or a limit_data.
  std::uint64_t connections_closed_by_toxic = 0;
};

struct TcpProxyOptions {
  std::string listen_ip = "127.0.0.1";  // IPv4 address to listen on
  std::uint16_t listen_port = 0;        // 0: an ephemeral port, see port()
  std::string upstream_host;  // IPv4 address or a name that resolves to one
  std::uint16_t upstream_port = 0;
  // When set, the upstream's IPv4 address is asked of this for each
  // accepted connection, on the proxy's thread (so it must answer at once),
  // and upstream_host is not used: for an upstream whose address changes
  // while the proxy lives, such as a Swarm task that is replaced on each
  // start. On an answer that is not an IPv4 address the client's
  // connection is reset, counted in upstream_failures.
  std::function<std::string()> upstream_lookup;
  // For the delay jitter, the slicer's piece sizes and the toxicity draws.
  std::uint64_t seed = 0;
  // Bytes per read while a direction has a fault (without one, bytes move
  // by splice(2) through a kernel pipe and never reach a buffer).
  std::size_t buffer_size = 64 * 1024;
  // At most this many chunks (or pieces of them) wait per direction and
  // connection, in its toxics or to be written; then the proxy stops
  // reading and TCP pushes back.
  std::size_t max_queued_chunks = 64;
  std::chrono::milliseconds connect_timeout{5000};  // to the upstream
  // SetFault, Heal and the toxic methods.
  std::chrono::milliseconds control_timeout{5000};
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
// Toxics. Each direction has an ordered list of toxics (Toxic: a name, a
// direction and a LinkFault), and every chunk read on a direction passes
// through its toxics in that order, each connection with its own state: a
// toxic holds a chunk until it lets it go on to the next one, and the last
// one hands it to the socket. The kinds:
// - kDelay: every chunk is let go delay ± jitter after it came in (jitter
//   from the seeded generator), never before an earlier chunk, so order is
//   preserved.
// - kBandwidth: chunks are let go at bytes_per_second by a token bucket
//   (burst: 1/50 s of data, at least 1 byte, at most one buffer), in pieces
//   of at most a burst.
// - kBlackhole: bytes are dropped (counted in bytes_dropped), so the
//   sender's writes succeed while nothing arrives. A close (FIN) from the
//   sender is held back and passed on when the toxic goes.
// - kTimeout: like kBlackhole; and with a timeout above 0, the connection
//   is closed `timeout` after the toxic met it (see toxicity below).
// - kSlowClose: bytes go on at once; a close goes on `delay` after it came.
// - kSlicer: chunks are cut into pieces of average_size ± size_variation
//   bytes (drawn per piece from the seeded generator; a chunk's last piece
//   is what remains of it), each let go slice_delay after the one before.
// - kLimitData: the first `bytes` bytes go on and the rest is dropped; once
//   the limit is reached (with 0: at the first byte) the connection is
//   closed, after those bytes, which the close follows through the toxics
//   after this one as a FIN would.
// A close (FIN) from the sender follows every byte before it through the
// toxics, and is passed on as a half-close when it comes out of the last
// one; only kSlowClose delays it further, and kBlackhole/kTimeout hold it.
// Where a toxic closes the connection, both sides get a FIN (what the
// proxy still holds or has not read is dropped), counted in
// connections_closed_by_toxic.
//
// Toxicity: a toxic with a toxicity below 1 applies to a connection only
// if the connection's draw, uniform in [0, 1) from the generator seeded by
// options.seed, is below it; 0 never applies and 1 always, without a draw.
// A connection draws once per toxic, when they meet: at accept (in accept
// order) for the toxics installed then, at the install (in accept order)
// for the connections open then, and again at an update only if the
// toxicity changed. A toxic that does not apply passes everything on.
//
// Changing a direction's toxics acts on every active connection:
// - AddToxic() appends a toxic to its direction's list: what the toxics
//   before it hold reaches it in turn; what is already through all of them
//   is written unchanged.
// - UpdateToxic() changes a toxic's attributes in place: what it holds
//   keeps the times it got, what comes in later gets the new ones; a
//   kTimeout counts its timeout again from the update, a kLimitData keeps
//   the bytes it counted.
// - RemoveToxic(), or the end of the toxic's duration, lets what the toxic
//   held go on to the next one at once, in order (dropped bytes are not
//   replayed; a held close is passed on).
// - SetFault() for a direction replaces its toxics with new ones made of
//   `fault` and its stack, named "<kind>_<stream>" ("delay_upstream"; with
//   "_2", "_3", ... for a name in use), each with its own duration and
//   toxicity. What the old toxics held enters the first new one, so a
//   blackhole drops what a delay held, and kNone lets it go at once.
// When no toxic of a direction applies to a connection and what they held
// has been written, that direction goes back to splice(2).
//
// kReset and kPartition are no toxics: they act on whole connections,
// whatever the direction. Every active connection is closed with SO_LINGER
// 0 on both sides (both peers see ECONNRESET). Under kReset each new
// connection is reset right after accept; under kPartition each new
// connection is refused, by accept-and-reset, counted in
// connections_refused. The proxy does not close its acceptor for a
// partition: that would give the port back to the kernel, which may hand it
// to someone else before the heal; the service must find the proxy at the
// same address afterwards, and only the proxy's own accept lets it count
// (and so prove) each refusal. The client sees its connect() succeed and
// then ECONNRESET or EOF on its first read or write, which a client treats
// like a refusal.
//
// The two kinds of faults are independent: a kReset/kPartition replaces the
// previous kReset/kPartition and leaves the directions' toxics in place.
//
// Heal() turns every fault off and removes every toxic: held chunks go out
// at once, in order; dropped data is not replayed. kNone for a direction
// heals that direction, and also lifts a kReset/kPartition. The destructor
// closes the acceptor and every connection (a plain close, FIN) and joins the
// thread.
class TcpProxy {
 public:
  explicit TcpProxy(TcpProxyOptions options);
  ~TcpProxy();

  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The port the proxy listens on (the ephemeral one when 0 was asked for).
  std::uint16_t port() const;
  const std::string& listen_ip() const;

  // Installs `fault` (and what is stacked on it) on `direction`, replacing
  // what was there (see above). Returns once it is in place on every active
  // connection: took_effect is false only if the proxy could not apply it
  // (stopping, or no answer from its thread within control_timeout). Throws
  // chancho::Error if `fault` is invalid.
  LinkFaultOutcome SetFault(Direction direction, const LinkFault& fault);

  // Turns every fault off, on both directions, removes every toxic, and
  // cancels their durations.
  LinkFaultOutcome Heal();

  // Appends `toxic` to its direction's toxics (an empty name gets the
  // default). took_effect is false, with the reason in detail, when the
  // name is taken or as for SetFault(). Throws chancho::Error if `toxic`
  // is invalid.
  LinkFaultOutcome AddToxic(const Toxic& toxic);
  // Gives the toxic named toxic.name the attributes, duration and toxicity
  // of `toxic`, whose kind and direction must be those it has. took_effect
  // is false when there is no such toxic, or its kind or direction differs,
  // or as for SetFault(). Throws chancho::Error if `toxic` is invalid.
  LinkFaultOutcome UpdateToxic(const Toxic& toxic);
  // took_effect is false when there is no such toxic, or as for SetFault().
  LinkFaultOutcome RemoveToxic(std::string_view name);
  // Toxiproxy's enabled flag: false resets every active connection and
  // refuses new ones, as a kPartition without end does; true lifts a
  // kReset/kPartition. Neither touches the toxics.
  LinkFaultOutcome SetEnabled(bool enabled);

  // The toxics installed, upstream first, each direction in order, with
  // their names (those of SetFault() too) and durations as set.
  std::vector<Toxic> Toxics() const;

  TcpProxyStats Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chancho
