#include "system/movies/sentiment.h"

#include <utility>

namespace chancho::movies {
namespace {

// Words of one weight, separated by single spaces.
struct WeightedWords {
  int weight;
  std::string_view words;
};

// Hand-written for movie overviews: plot words ("kill", "war", "love",
// "friends") carry most of the signal there, so they are in, with the
// common judgement words. Inflections are listed explicitly because the
// tokenizer does no stemming.
constexpr WeightedWords kLexicon[] = {
    {4, "wonderful brilliant amazing fantastic"},
    {3,
     "great best love loves loved lovely happy happiness joy joyful "
     "beautiful excellent incredible perfect friendship kindness "
     "courageous victory triumph charming delightful heartwarming "
     "inspiring heroic celebrate celebration magical bliss cheerful "
     "miracle adore"},
    {2,
     "good better loving hope hopes hopeful friend friends kind "
     "brave courage win wins won success successful fun funny laugh "
     "laughter inspired peace peaceful freedom hero heroes rescue "
     "rescues save saves magic romance romantic gentle smile smiles "
     "honest loyal wise clever gift treasure reunite reunited heal "
     "healing fortune lucky glory sweet proud wedding generous "
     "grace harmony admire tender"},
    {1, "free dream dreams warm trust together bright faith"},
    {-1, "dark darkness broken attack fight"},
    {-2,
     "death war fear afraid revenge lonely alone lost sad sadness "
     "grief pain painful suffer suffering danger dangerous disaster "
     "monster monsters threat threatens trapped prison kidnapped "
     "poor poverty sick disease fail failed failure chaos struggle "
     "struggles enemy enemies haunted curse cursed blood lies "
     "missing grim bleak"},
    {-3,
     "bad evil dead die dies dying kill kills killed killer killing "
     "murder murdered murderer violent violence brutal cruel terror "
     "terrifying horror horrifying hate hatred angry anger crime "
     "criminal corrupt corruption betray betrayal betrayed loss "
     "lose losing tragic tragedy deadly destroy destroyed "
     "destruction nightmare abuse desperate despair crisis bloody "
     "worst terrible awful guilty panic victim victims corpse "
     "doomed ruthless"},
};

}  // namespace

std::string_view SentimentName(Sentiment sentiment) {
  return sentiment == Sentiment::kPositive ? "POSITIVE" : "NEGATIVE";
}

SentimentScorer::SentimentScorer() {
  // emplace keeps the first weight if a word were listed twice.
  for (const WeightedWords& group : kLexicon) {
    std::string_view words = group.words;
    while (!words.empty()) {
      const std::size_t space = words.find(' ');
      weights_.emplace(words.substr(0, space), group.weight);
      words.remove_prefix(space == std::string_view::npos ? words.size()
                                                          : space + 1);
    }
  }
}

int SentimentScorer::Weight(std::string_view word) const {
  const auto found = weights_.find(word);
  return found == weights_.end() ? 0 : found->second;
}

int64_t SentimentScorer::Score(std::string_view text) const {
  int64_t score = 0;
  std::string token;
  // The sentinel NUL after the text flushes the last token.
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : '\0';
    if (c >= 'a' && c <= 'z') {
      token += c;
    } else if (c >= 'A' && c <= 'Z') {
      token += static_cast<char>(c - 'A' + 'a');
    } else if (!token.empty()) {
      score += Weight(token);
      token.clear();
    }
  }
  return score;
}

}  // namespace chancho::movies
