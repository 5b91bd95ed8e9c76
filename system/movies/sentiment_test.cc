#include "system/movies/sentiment.h"

#include <gtest/gtest.h>

namespace chancho::movies {
namespace {

TEST(SentimentScorerTest, SumsLexiconWeights) {
  const SentimentScorer scorer;
  EXPECT_EQ(scorer.Weight("love"), 3);
  EXPECT_EQ(scorer.Weight("wonderful"), 4);
  EXPECT_EQ(scorer.Weight("killer"), -3);
  EXPECT_EQ(scorer.Weight("film"), 0);
  EXPECT_EQ(scorer.Weight(""), 0);
  EXPECT_EQ(scorer.size(), 208u);
  // love 3 + wonderful 4.
  EXPECT_EQ(scorer.Score("I love this wonderful film"), 7);
  // brutal -3 + killer -3.
  EXPECT_EQ(scorer.Score("A brutal killer."), -6);
  // love 3 + friendship 3 + brutal -3 + war -2.
  EXPECT_EQ(scorer.Score("Love and friendship survive a brutal war"), 1);
}

TEST(SentimentScorerTest, TokensAreLowercasedRunsOfAsciiLetters) {
  const SentimentScorer scorer;
  // "don", "t", "kill" -3, "the", "hero" 2.
  EXPECT_EQ(scorer.Score("Don't KILL the Hero!"), -1);
  // happy 3 + "go" + lucky 2.
  EXPECT_EQ(scorer.Score("happy-go-lucky"), 5);
  // "lovely" 3 and "love" 3, split by digits.
  EXPECT_EQ(scorer.Score("lovely123love"), 6);
  // Not stemmed: "killers" and "loveliest" are unknown words.
  EXPECT_EQ(scorer.Score("killers loveliest"), 0);
  // "amor", "y", "caf": the UTF-8 letter ends a token; no lexicon word.
  EXPECT_EQ(scorer.Score("amor y caf\xC3\xA9"), 0);
  // "h", "ppy": the non-ASCII byte splits the word.
  EXPECT_EQ(scorer.Score("h\xC3\xA4ppy"), 0);
  EXPECT_EQ(scorer.Score("DEATH\ndeath\r\nDeath"), -6);
}

TEST(SentimentScorerTest, ZeroIsPositive) {
  const SentimentScorer scorer;
  EXPECT_EQ(scorer.Classify(""), Sentiment::kPositive);
  EXPECT_EQ(scorer.Classify("A film about a table"), Sentiment::kPositive);
  // good 2 + bad -3.
  EXPECT_EQ(scorer.Classify("good and bad"), Sentiment::kNegative);
  // great 3 + bad -3.
  EXPECT_EQ(scorer.Classify("great and bad"), Sentiment::kPositive);
  EXPECT_EQ(SentimentName(Sentiment::kPositive), "POSITIVE");
  EXPECT_EQ(SentimentName(Sentiment::kNegative), "NEGATIVE");
}

TEST(SentimentScorerTest, HugeTextsDoNotOverflow) {
  const SentimentScorer scorer;
  std::string text;
  for (int i = 0; i < 200'000; ++i) text += "kill ";
  EXPECT_EQ(scorer.Score(text), -600'000);
}

}  // namespace
}  // namespace chancho::movies
