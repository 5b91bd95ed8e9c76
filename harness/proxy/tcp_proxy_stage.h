#pragma once

// Internals of TcpProxy (tcp_proxy.h): one toxic on one direction of one
// connection. Not part of the library's interface; io thread only.

#include <chrono>
#include <cstdint>
#include <deque>

#include "harness/proxy/tcp_proxy_link.h"

namespace chancho::tcp_proxy_internal {

// The pieces a toxic holds on one direction of one connection, and its own
// state there: whether it applies (its toxicity draw), a delay's order, a
// token bucket, a slicer's next slot, the bytes a data limit let through, a
// timeout's deadline. Pieces leave in the order they came; the semantics
// of each kind are those of tcp_proxy.h.
class Stage {
 public:
  // Draws whether the toxic applies to this connection; `now` starts a
  // kTimeout's time.
  Stage(ProxyState& state, const InstalledToxic& toxic, Clock::time_point now);
  Stage(const Stage&) = delete;
  Stage& operator=(const Stage&) = delete;

  std::uint64_t id() const { return toxic_.id; }
  bool applies() const { return applies_; }
  std::size_t size() const { return pieces_.size(); }

  // Takes on a newer version of the toxic (the same id): draws again only
  // if the toxicity changed; a kTimeout's time starts again at `now`. If it
  // no longer applies, what it holds may leave at once.
  void Update(const InstalledToxic& toxic, Clock::time_point now);
  // `piece` comes in at `now`. Bytes dropped are counted in the state.
  void Enter(Piece piece, Clock::time_point now);
  // Moves the next piece that may go on at `now` into `out` and returns
  // true; otherwise returns false. Either way lowers `wake` to when this
  // stage next has something to do, if that is earlier.
  bool Leave(Clock::time_point now, Piece& out, Clock::time_point& wake);
  // A kTimeout whose time is up: the connection is to be closed.
  bool Expired(Clock::time_point now) const { return deadline_ <= now; }
  // Everything it holds, in order; it holds nothing then.
  std::deque<Piece> TakeAll();

 private:
  const LinkFault& fault() const { return toxic_.toxic.fault; }
  void Start(Clock::time_point now);
  void Drop(std::size_t bytes);
  // The front piece goes, or its first `n` bytes.
  bool Emit(std::size_t n, Piece& out);
  bool LeaveBandwidth(Clock::time_point now, Piece& out,
                      Clock::time_point& wake);
  bool LeaveSlicer(Clock::time_point now, Piece& out, Clock::time_point& wake);

  ProxyState& state_;
  InstalledToxic toxic_;
  bool applies_ = false;
  std::deque<Piece> pieces_;
  Clock::time_point deadline_ = Clock::time_point::max();  // kTimeout
  Clock::time_point tat_{};        // kBandwidth: theoretical arrival time
  Clock::time_point next_slot_{};  // kSlicer: when the next piece may go
  std::uint64_t passed_ = 0;       // kLimitData: bytes let through
  bool closing_ = false;           // kLimitData: the close is on its way
};

}  // namespace chancho::tcp_proxy_internal
