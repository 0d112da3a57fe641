// Vocabulary files (text/vocabulary.h: source.vocab / target.vocab, one token per line)
// and a `heed vocab` directory's vocab.json (text/vocabularies.h), from arbitrary bytes.
//
// The first byte picks the file: even, the bytes are a vocabulary file; odd, they are
// vocab.json beside two small valid vocabulary files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "text/vocabularies.h"
#include "text/vocabulary.h"
#include "util/error.h"

namespace {

using heed::fuzz::Scratch;
using heed::fuzz::shown;

void check_vocabulary_file(std::string_view bytes) {
  const Scratch& scratch = Scratch::get();
  const heed::Vocabulary vocabulary = heed::Vocabulary::load(scratch.write("fuzz.vocab", bytes));
  FUZZ_CHECK(vocabulary.size() >= heed::Vocabulary::kNumSpecials, shown(bytes));
  const heed::Vocabulary specials;
  for (int64_t id = 0; id < vocabulary.size(); ++id) {
    const std::string& token = vocabulary.token(id);
    FUZZ_CHECK(!token.empty() && token.find('\n') == std::string::npos, shown(bytes));
    FUZZ_CHECK(vocabulary.id(token) == id, shown(bytes) + " token " + shown(token));
    if (id < heed::Vocabulary::kNumSpecials) FUZZ_CHECK(token == specials.token(id), shown(bytes));
  }
  // What loads saves and loads back the same.
  const std::string saved = scratch.path("saved.vocab");
  vocabulary.save(saved);
  FUZZ_CHECK(heed::Vocabulary::load(saved).tokens() == vocabulary.tokens(), shown(bytes));
}

void check_vocab_json(std::string_view bytes) {
  const Scratch& scratch = Scratch::get();
  static const bool written = [&] {
    scratch.remove("vocab");
    std::filesystem::create_directories(scratch.path("vocab"));
    scratch.write("vocab/source.vocab", "<pad>\n<unk>\n<s>\n</s>\nthe\n￭,\n");
    scratch.write("vocab/target.vocab", "<pad>\n<unk>\n<s>\n</s>\nle\n");
    return true;
  }();
  (void)written;
  scratch.write("vocab/vocab.json", bytes);
  const heed::Vocabularies v = heed::load_vocabularies(scratch.path("vocab"));
  FUZZ_CHECK(v.source_tokenizer != nullptr && v.target_tokenizer != nullptr, shown(bytes));
  FUZZ_CHECK(v.source.size() == 6 && v.target.size() == 5, shown(bytes));
  v.source_tokenizer->decode(v.source_tokenizer->encode("the cat, the dog"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if ((data[0] & 1) == 0) {
      check_vocabulary_file(bytes);
    } else {
      check_vocab_json(bytes);
    }
  } catch (const heed::Error&) {
  }
  return 0;
}
