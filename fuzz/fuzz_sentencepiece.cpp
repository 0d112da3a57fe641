// SentencePiece tokenizers (text/tokenizer.h) on arbitrary text and arbitrary model
// files (a model directory's source.spm / target.spm).
//
// heed normally loads SentencePiece from its own module with dlopen(RTLD_DEEPBIND)
// (text/sentencepiece_api.h), which the sanitizer runtimes refuse. This target links the
// module's code (src/text/sentencepiece_module/module.cpp) and libsentencepiece into the
// fuzzer instead and defines sentencepiece_api::api() to return it; that is safe here
// because nothing in this process loads LibTorch's protobuf. Everything above that
// boundary (the tokenizer, training through heed) is heed's own code.
//
// Input: the first byte picks the mode.
//   bit 1 clear: text. Bit 0 picks the unigram or the BPE model (trained at start-up by
//     train_sentencepiece on a built-in corpus), bit 2 lowercasing; the rest is the text
//     to encode, then the text is also decoded as space-separated pieces.
//   bit 1 set: a model file. The rest is a serialized model; when it loads, fixed
//     sentences are encoded and decoded with it.
// HEED_FUZZ_WRITE_SEEDS=DIR writes seed inputs of both modes to DIR and exits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "text/normalize.h"
#include "text/sentencepiece_api.h"
#include "text/sentencepiece_training.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/utf8.h"

namespace heed::sentencepiece_api {
// The module, linked in (see above).
const Api& api() { return *heed_sentencepiece_api(); }
}  // namespace heed::sentencepiece_api

namespace {

using heed::fuzz::shown;
using heed::fuzz::split_at;

std::vector<std::string> training_sentences() {
  const char* const base[] = {
      "3 may 1979", "tuesday, march 3, 1970", "1979-05-03", "the big red dog visits a small house",
      "Bonjour ! Ça va ?", "ein kleiner Hund läuft über die Straße", "東京は日本の首都です",
      "Привет, как дела?", "emoji 🙂 and ZWJ 👩‍💻", "numbers 12345 67890, punctuation: ;!?()[]{}",
  };
  std::vector<std::string> sentences;
  for (int repeat = 0; repeat < 20; ++repeat) {
    for (const char* sentence : base) sentences.push_back(heed::normalize_text(sentence) + " " + std::to_string(repeat));
  }
  return sentences;
}

const std::string& model_proto(bool bpe) {
  static const std::string models[2] = {
      heed::train_sentencepiece(training_sentences(), {150, "unigram", 1, 1}),
      heed::train_sentencepiece(training_sentences(), {150, "bpe", 1, 1}),
  };
  return models[bpe ? 1 : 0];
}

const heed::Tokenizer& trained_tokenizer(bool bpe, bool lowercase) {
  static std::unique_ptr<heed::Tokenizer> cache[2][2];
  auto& slot = cache[bpe][lowercase];
  if (!slot) slot = heed::make_tokenizer({heed::TokenizerKind::SentencePiece, lowercase}, model_proto(bpe));
  return *slot;
}

bool is_printable_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

void check_text(std::string_view text, bool bpe, bool lowercase) {
  const heed::Tokenizer& tokenizer = trained_tokenizer(bpe, lowercase);
  if (heed::utf8::is_valid(text)) {
    const std::vector<std::string> pieces = tokenizer.encode(text);
    static const std::vector<std::string> known_list = tokenizer.model_pieces();
    static const std::set<std::string> known(known_list.begin(), known_list.end());
    bool all_known = true;
    for (const auto& piece : pieces) {
      FUZZ_CHECK(!piece.empty(), shown(text));
      all_known = all_known && known.count(piece) > 0;
    }
    const std::string decoded = tokenizer.decode(pieces);
    // Round trip where SentencePiece's own NFKC rule changes nothing: printable ASCII
    // made only of pieces the model knows.
    const std::string normalized = heed::normalize_text(text, {lowercase});
    if (all_known && is_printable_ascii(normalized)) {
      FUZZ_CHECK(decoded == normalized, shown(text) + " -> " + shown(decoded));
    }
  }
  // Any strings as pieces (a hand-edited or foreign n-best list): decoded or refused.
  tokenizer.decode(split_at(text, ' '));
}

void check_model(std::string_view proto) {
  const auto tokenizer = heed::make_tokenizer({heed::TokenizerKind::SentencePiece, false}, std::string(proto));
  tokenizer->model_pieces();
  for (const char* sentence : {"3 may 1979", "Bonjour ! Ça va ?", "東京 🙂 x", "a"}) {
    const std::vector<std::string> pieces = tokenizer->encode(sentence);
    tokenizer->decode(pieces);
  }
}

void write_seed(const std::string& path, char mode, const std::string& body) {
  std::ofstream out(path, std::ios::binary);
  out << mode << body;
}

// Small models for the corpus: identity normalisation keeps them to a few kilobytes
// (heed's own, with nmt_nfkc, carry a 240 kB normalisation table).
std::string small_model(const std::string& type) {
  heed::sentencepiece_api::TrainRequest request;
  std::vector<std::string> sentences;
  for (int i = 0; i < 50; ++i) sentences.push_back("the big red dog visits " + std::to_string(i) + " small houses");
  request.sentences = &sentences;
  request.arguments = {{"model_type", type},        {"vocab_size", "60"},        {"character_coverage", "1.0"},
                       {"hard_vocab_limit", "false"}, {"minloglevel", "2"},
                       {"normalization_rule_name", "identity"}};
  std::string proto, error;
  if (!heed::sentencepiece_api::api().train(request, proto, error)) {
    std::fprintf(stderr, "training failed: %s\n", error.c_str());
    std::exit(1);
  }
  return proto;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("HEED_FUZZ_WRITE_SEEDS")) {
    const std::string d = dir;
    write_seed(d + "/text-unigram", '\0', "3 may 1979, the big dog");
    write_seed(d + "/text-bpe", '\1', "Bonjour ! Ça va ? 東京");
    write_seed(d + "/text-lower", '\4', "Tuesday, MARCH 3, 1970");
    write_seed(d + "/model-unigram", '\2', small_model("unigram"));
    write_seed(d + "/model-bpe", '\2', small_model("bpe"));
    std::exit(0);
  }
  model_proto(false);  // train both before the first input, not inside its time limit
  model_proto(true);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if ((mode & 2) == 0) {
      check_text(rest, (mode & 1) != 0, (mode & 4) != 0);
    } else {
      check_model(rest);
    }
  } catch (const heed::Error&) {
  }
  return 0;
}
