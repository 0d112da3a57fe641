// SentencePiece tokenizers and vocabularies: training, round trips, shared models,
// saving and loading, determinism.
#include <gtest/gtest.h>

#include "data/generators.h"
#include "support/temp_dir.h"
#include "text/vocabularies.h"
#include "util/error.h"

namespace heed {
namespace {

// Varied enough text for a few hundred pieces: spelled-out dates and ISO dates.
const std::vector<SentencePair>& corpus() {
  static const std::vector<SentencePair> pairs = generate_dates(800, 3);
  return pairs;
}

VocabSpec sentencepiece_spec(const std::string& type, int64_t size, bool shared) {
  VocabSpec spec;
  spec.tokenizer.kind = TokenizerKind::SentencePiece;
  spec.sentencepiece.vocab_size = size;
  spec.sentencepiece.model_type = type;
  spec.shared = shared;
  return spec;
}

class SentencePieceTypes : public ::testing::TestWithParam<std::string> {};

TEST_P(SentencePieceTypes, DecodeInvertsEncodeAndTheVocabularyHoldsEveryPiece) {
  const Vocabularies v = build_vocabularies(sentencepiece_spec(GetParam(), 120, false), corpus());
  // heed's 4 specials + (up to) 120 pieces minus SentencePiece's own <unk> <s> </s>.
  EXPECT_LE(v.source.size(), 4 + 120 - 3);
  EXPECT_GT(v.source.size(), 40);
  EXPECT_EQ(v.source.token(Vocabulary::kUnk), "<unk>");
  for (size_t i = 0; i < 50; ++i) {
    const auto& pair = corpus()[i];
    const auto pieces = v.source_tokenizer->encode(pair.source);
    EXPECT_EQ(v.source_tokenizer->decode(pieces), pair.source);
    for (const auto& piece : pieces) EXPECT_NE(v.source.id(piece), Vocabulary::kUnk) << piece;
    EXPECT_EQ(v.target_tokenizer->decode(v.target_tokenizer->encode(pair.target)), pair.target);
  }
  // Subwords: fewer pieces than characters, more than words.
  const auto pieces = v.source_tokenizer->encode("saturday, 14 march 1987");
  EXPECT_LT(pieces.size(), 23u);
  EXPECT_GE(pieces.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Types, SentencePieceTypes, ::testing::Values("unigram", "bpe"));

TEST(SentencePiece, SeparateModelsDifferAndASharedOneServesBothSides) {
  const Vocabularies separate = build_vocabularies(sentencepiece_spec("unigram", 100, false), corpus());
  EXPECT_NE(separate.source.tokens(), separate.target.tokens());
  const Vocabularies shared = build_vocabularies(sentencepiece_spec("unigram", 100, true), corpus());
  EXPECT_TRUE(shared.shared);
  EXPECT_EQ(shared.source.tokens(), shared.target.tokens());
  EXPECT_EQ(shared.source_tokenizer->model_proto(), shared.target_tokenizer->model_proto());
  // The shared model knows the characters of both sides.
  for (const auto& piece : shared.source_tokenizer->encode("1987-03-14 march")) {
    EXPECT_NE(shared.source.id(piece), Vocabulary::kUnk) << piece;
  }
}

TEST(SentencePiece, SameSeedSameModel) {
  const Vocabularies a = build_vocabularies(sentencepiece_spec("unigram", 90, false), corpus());
  const Vocabularies b = build_vocabularies(sentencepiece_spec("unigram", 90, false), corpus());
  EXPECT_EQ(a.source_tokenizer->model_proto(), b.source_tokenizer->model_proto());
  EXPECT_EQ(a.source.tokens(), b.source.tokens());
}

TEST(SentencePiece, SavedAndLoadedVocabulariesEncodeTheSame) {
  testing::TempDir dir("heed_spm");
  VocabSpec spec = sentencepiece_spec("bpe", 100, false);
  spec.tokenizer.lowercase = true;
  const Vocabularies built = build_vocabularies(spec, corpus());
  save_vocabularies(dir.path().string(), built);
  const Vocabularies loaded = load_vocabularies(dir.path().string());
  EXPECT_EQ(loaded.source_config.kind, TokenizerKind::SentencePiece);
  EXPECT_TRUE(loaded.source_config.lowercase);
  EXPECT_EQ(loaded.source.tokens(), built.source.tokens());
  EXPECT_EQ(loaded.target.tokens(), built.target.tokens());
  const std::string text = "Tuesday,\u00A0MARCH 3, 1970";
  EXPECT_EQ(loaded.source_tokenizer->encode(text), built.source_tokenizer->encode(text));
  EXPECT_EQ(loaded.source_tokenizer->decode(loaded.source_tokenizer->encode(text)), "tuesday, march 3, 1970");
}

TEST(SentencePiece, BadInputsAreClearErrors) {
  EXPECT_THROW(build_vocabularies(sentencepiece_spec("wordpiece", 100, false), corpus()), Error);
  EXPECT_THROW(make_tokenizer({TokenizerKind::SentencePiece, false}), Error);
  EXPECT_THROW(make_tokenizer({TokenizerKind::SentencePiece, false}, "not a model"), Error);
  testing::TempDir dir("heed_spm_missing");
  EXPECT_THROW(load_vocabularies(dir.path().string()), Error);
}

// Found by fuzz/fuzz_sentencepiece.cpp: a model whose piece holds a NUL byte made
// SentencePiece throw its own exception out of the module instead of returning an error.
TEST(SentencePiece, AModelWithANulPieceIsAnError) {
  const std::string proto("\x0a\x0e\x0a\x05<unk>\x15\x00\x00\x00\x00\x18\x02"  // <unk>, score 0, UNKNOWN
                          "\x0a\x08\x0a\x01\x00\x15\x80\x00\x1a\x00",            // the piece "\0"
                          26);
  try {
    make_tokenizer({TokenizerKind::SentencePiece, false}, proto);
    ADD_FAILURE() << "the model loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot load the SentencePiece model"), std::string::npos) << e.what();
  }
}

TEST(SharedVocabulary, WordVocabularyCountsBothSides) {
  VocabSpec spec;
  spec.shared = true;
  const std::vector<SentencePair> pairs = {{"a b", "c"}, {"b", "d d"}};
  const Vocabularies v = build_vocabularies(spec, pairs);
  EXPECT_EQ(v.source.tokens(), v.target.tokens());
  EXPECT_EQ(v.source.size(), 4 + 4);
  EXPECT_EQ(v.source.token(4), "b");  // counted twice, ties after by byte order
  EXPECT_EQ(v.source.token(5), "d");
}

}  // namespace
}  // namespace heed
