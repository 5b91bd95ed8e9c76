#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chancho::movies {

enum class Sentiment { kPositive, kNegative };

// "POSITIVE" or "NEGATIVE".
std::string_view SentimentName(Sentiment sentiment);

// A deterministic lexicon scorer, the stand-in for a sentiment model.
//
// Tokens are the maximal runs of ASCII letters, lowercased; every other
// byte (digits, apostrophes, UTF-8 sequences) separates tokens, so "don't"
// is "don" and "t". The score is the sum of the lexicon weights of the
// tokens (words not in the lexicon weigh 0). The lexicon is fixed in the
// code (about 200 common English words, weights -3..4), so every replica
// and the reference agree. Const methods are thread-safe.
class SentimentScorer {
 public:
  SentimentScorer();

  int64_t Score(std::string_view text) const;
  // kPositive when Score >= 0 (so an empty text is positive).
  Sentiment Classify(std::string_view text) const {
    return Score(text) >= 0 ? Sentiment::kPositive : Sentiment::kNegative;
  }
  // The weight of one lowercase word; 0 when absent.
  int Weight(std::string_view word) const;
  // How many words the lexicon has.
  std::size_t size() const { return weights_.size(); }

 private:
  std::unordered_map<std::string_view, int> weights_;
};

}  // namespace chancho::movies
