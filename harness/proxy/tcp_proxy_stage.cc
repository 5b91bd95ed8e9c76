#include "harness/proxy/tcp_proxy_stage.h"

#include <algorithm>
#include <limits>
#include <random>
#include <utility>

namespace chancho::tcp_proxy_internal {

Piece Piece::Cut(std::size_t n) {
  Piece head = *this;
  head.size = n;
  offset += n;
  size -= n;
  return head;
}

Stage::Stage(ProxyState& state, const InstalledToxic& toxic,
             Clock::time_point now)
    : state_(state),
      toxic_(toxic),
      applies_(state.Applies(toxic.toxic.fault.toxicity)) {
  Start(now);
}

void Stage::Start(Clock::time_point now) {
  deadline_ = Clock::time_point::max();
  if (applies_ && fault().kind == LinkFaultKind::kTimeout &&
      fault().timeout.count() > 0) {
    deadline_ = now + fault().timeout;
  }
}

void Stage::Update(const InstalledToxic& toxic, Clock::time_point now) {
  if (toxic.version == toxic_.version) return;
  const bool draw = toxic.toxic.fault.toxicity != fault().toxicity;
  toxic_ = toxic;
  if (draw) applies_ = state_.Applies(fault().toxicity);
  Start(now);
  if (!applies_) {
    for (Piece& piece : pieces_) piece.ready = std::min(piece.ready, now);
  }
}

void Stage::Drop(std::size_t bytes) {
  state_.counters.dropped.fetch_add(bytes, std::memory_order_relaxed);
}

void Stage::Enter(Piece piece, Clock::time_point now) {
  const bool data = piece.mark == Piece::Mark::kData;
  piece.ready = now;
  if (applies_) {
    const LinkFault& f = fault();
    switch (f.kind) {
      case LinkFaultKind::kDelay:
        // A close follows the bytes before it, with no delay of its own.
        if (data) piece.ready = state_.Due(f, now);
        break;
      case LinkFaultKind::kSlowClose:
        if (!data) piece.ready = now + f.delay;
        break;
      case LinkFaultKind::kBlackhole:
      case LinkFaultKind::kTimeout:
        if (data) return Drop(piece.size);
        piece.ready = Clock::time_point::max();  // until the toxic goes
        break;
      case LinkFaultKind::kLimitData: {
        if (!data) break;
        const std::uint64_t left = f.bytes - std::min(f.bytes, passed_);
        if (closing_ || piece.size > left) {
          const std::size_t keep = closing_ ? 0 : left;
          Drop(piece.size - keep);
          piece.size = keep;
        }
        passed_ += piece.size;
        if (piece.size > 0) pieces_.push_back(std::move(piece));
        if (passed_ >= f.bytes && !closing_) {
          closing_ = true;
          pieces_.push_back({.mark = Piece::Mark::kClose, .ready = now});
        }
        return;
      }
      default:
        break;
    }
  }
  pieces_.push_back(std::move(piece));
}

bool Stage::Emit(std::size_t n, Piece& out) {
  Piece& front = pieces_.front();
  if (n < front.size) {
    out = front.Cut(n);
  } else {
    out = std::move(front);
    pieces_.pop_front();
  }
  return true;
}

bool Stage::Leave(Clock::time_point now, Piece& out, Clock::time_point& wake) {
  wake = std::min(wake, deadline_);
  if (pieces_.empty()) return false;
  const Piece& front = pieces_.front();
  // Pieces leave in order: one due before the piece ahead of it goes right
  // after that one.
  if (front.ready > now) {
    wake = std::min(wake, front.ready);
    return false;
  }
  if (applies_ && fault().kind == LinkFaultKind::kBandwidth &&
      front.mark == Piece::Mark::kData) {
    return LeaveBandwidth(now, out, wake);
  }
  if (applies_ && fault().kind == LinkFaultKind::kSlicer) {
    return LeaveSlicer(now, out, wake);
  }
  return Emit(front.size, out);
}

bool Stage::LeaveBandwidth(Clock::time_point now, Piece& out,
                           Clock::time_point& wake) {
  // GCRA: each byte moves the theoretical arrival time by 1/rate, and a
  // piece may go once that time is at most one burst ahead of now.
  const std::uint64_t rate = fault().bytes_per_second;
  const auto cost = [rate](std::uint64_t bytes) {
    return std::chrono::nanoseconds(bytes * 1'000'000'000ull / rate);
  };
  const std::uint64_t burst =
      std::clamp<std::uint64_t>(rate / 50, 1, state_.options.buffer_size);
  tat_ = std::max(tat_, now);
  if (tat_ - cost(burst) > now) {
    wake = std::min(wake, tat_ - cost(burst));
    return false;
  }
  const std::size_t n = std::min<std::uint64_t>(pieces_.front().size, burst);
  tat_ += cost(n);
  return Emit(n, out);
}

bool Stage::LeaveSlicer(Clock::time_point now, Piece& out,
                        Clock::time_point& wake) {
  if (next_slot_ > now) {
    wake = std::min(wake, next_slot_);
    return false;
  }
  const Piece& front = pieces_.front();
  if (front.mark != Piece::Mark::kData) return Emit(front.size, out);
  const LinkFault& f = fault();
  std::uint64_t size = f.average_size;
  if (f.size_variation > 0) {
    const std::uint64_t up = std::min(
        f.size_variation, std::numeric_limits<std::uint64_t>::max() - size);
    size = std::uniform_int_distribution<std::uint64_t>(
        size - f.size_variation, size + up)(state_.random);
  }
  next_slot_ = now + f.slice_delay;
  return Emit(
      std::min<std::uint64_t>(std::max<std::uint64_t>(size, 1), front.size),
      out);
}

std::deque<Piece> Stage::TakeAll() { return std::exchange(pieces_, {}); }

}  // namespace chancho::tcp_proxy_internal
