#include "text/vocabularies.h"

#include <filesystem>

#include "util/atomic_file.h"
#include "util/error.h"

namespace heed {

namespace vocab_files {
std::string description(const std::string& dir) { return dir + "/vocab.json"; }
std::string source_vocab(const std::string& dir) { return dir + "/source.vocab"; }
std::string target_vocab(const std::string& dir) { return dir + "/target.vocab"; }
std::string source_sentencepiece(const std::string& dir) { return dir + "/source.spm"; }
std::string target_sentencepiece(const std::string& dir) { return dir + "/target.spm"; }
}  // namespace vocab_files

nlohmann::json tokenizer_config_json(const TokenizerConfig& config) {
  return {{"tokenizer", tokenizer_kind_name(config.kind)}, {"lowercase", config.lowercase}};
}

TokenizerConfig tokenizer_config_from_json(const nlohmann::json& json) {
  TokenizerConfig config;
  config.kind = parse_tokenizer_kind(json.at("tokenizer").get<std::string>());
  config.lowercase = json.at("lowercase").get<bool>();
  return config;
}

namespace {

// heed's specials, then the model's pieces (a piece spelled like a special is dropped).
Vocabulary vocabulary_of_pieces(const Tokenizer& tokenizer) {
  const Vocabulary specials;
  std::vector<std::string> tokens = specials.tokens();
  for (std::string& piece : tokenizer.model_pieces()) {
    if (specials.id(piece) == Vocabulary::kUnk && piece != specials.token(Vocabulary::kUnk)) {
      tokens.push_back(std::move(piece));
    }
  }
  return Vocabulary::from_tokens(tokens);
}

std::vector<std::vector<std::string>> encode_all(const Tokenizer& tokenizer, const std::vector<SentencePair>& pairs,
                                                 bool sources, bool targets) {
  std::vector<std::vector<std::string>> sentences;
  sentences.reserve(pairs.size() * ((sources ? 1 : 0) + (targets ? 1 : 0)));
  for (const auto& pair : pairs) {
    if (sources) sentences.push_back(tokenizer.encode(pair.source));
    if (targets) sentences.push_back(tokenizer.encode(pair.target));
  }
  return sentences;
}

std::vector<std::string> normalized_text(const TokenizerConfig& config, const std::vector<SentencePair>& pairs,
                                         bool sources, bool targets) {
  std::vector<std::string> lines;
  for (const auto& pair : pairs) {
    if (sources) lines.push_back(normalize_text(pair.source, {config.lowercase}));
    if (targets) lines.push_back(normalize_text(pair.target, {config.lowercase}));
  }
  return lines;
}

std::string read_optional_model(const std::string& path, const TokenizerConfig& config) {
  if (config.kind != TokenizerKind::SentencePiece) return {};
  if (!std::filesystem::exists(path)) throw Error("cannot open " + path + " (the SentencePiece model)");
  return read_file(path);
}

}  // namespace

Vocabularies build_vocabularies(const VocabSpec& spec, const std::vector<SentencePair>& pairs) {
  if (pairs.empty()) throw Error("no sentence pairs to build vocabularies from");
  Vocabularies v;
  v.source_config = v.target_config = spec.tokenizer;
  v.shared = spec.shared;
  if (spec.tokenizer.kind == TokenizerKind::SentencePiece) {
    if (spec.shared) {
      const std::string model = train_sentencepiece(normalized_text(spec.tokenizer, pairs, true, true), spec.sentencepiece);
      v.source_tokenizer = make_tokenizer(spec.tokenizer, model);
      v.target_tokenizer = make_tokenizer(spec.tokenizer, model);
    } else {
      v.source_tokenizer = make_tokenizer(
          spec.tokenizer, train_sentencepiece(normalized_text(spec.tokenizer, pairs, true, false), spec.sentencepiece));
      v.target_tokenizer = make_tokenizer(
          spec.tokenizer, train_sentencepiece(normalized_text(spec.tokenizer, pairs, false, true), spec.sentencepiece));
    }
    v.source = vocabulary_of_pieces(*v.source_tokenizer);
    v.target = vocabulary_of_pieces(*v.target_tokenizer);
    return v;
  }
  v.source_tokenizer = make_tokenizer(spec.tokenizer);
  v.target_tokenizer = make_tokenizer(spec.tokenizer);
  if (spec.shared) {
    v.source = Vocabulary::build(encode_all(*v.source_tokenizer, pairs, true, true), spec.counts);
    v.target = v.source;
  } else {
    v.source = Vocabulary::build(encode_all(*v.source_tokenizer, pairs, true, false), spec.counts);
    v.target = Vocabulary::build(encode_all(*v.target_tokenizer, pairs, false, true), spec.counts);
  }
  return v;
}

void save_vocabulary_files(const std::string& dir, const Vocabulary& source, const Vocabulary& target,
                           const Tokenizer& source_tokenizer, const Tokenizer& target_tokenizer) {
  source.save(vocab_files::source_vocab(dir));
  target.save(vocab_files::target_vocab(dir));
  if (source_tokenizer.config().kind == TokenizerKind::SentencePiece) {
    write_file_atomically(vocab_files::source_sentencepiece(dir), source_tokenizer.model_proto());
  }
  if (target_tokenizer.config().kind == TokenizerKind::SentencePiece) {
    write_file_atomically(vocab_files::target_sentencepiece(dir), target_tokenizer.model_proto());
  }
}

void save_vocabularies(const std::string& dir, const Vocabularies& v) {
  create_directories(dir);
  save_vocabulary_files(dir, v.source, v.target, *v.source_tokenizer, *v.target_tokenizer);
  const nlohmann::json json = {{"source", tokenizer_config_json(v.source_config)},
                               {"target", tokenizer_config_json(v.target_config)},
                               {"shared", v.shared}};
  write_file_atomically(vocab_files::description(dir), json.dump(2) + "\n");
}

Vocabularies load_vocabularies(const std::string& dir, const TokenizerConfig& source, const TokenizerConfig& target) {
  Vocabularies v;
  v.source_config = source;
  v.target_config = target;
  v.source = Vocabulary::load(vocab_files::source_vocab(dir));
  v.target = Vocabulary::load(vocab_files::target_vocab(dir));
  v.shared = v.source.tokens() == v.target.tokens();
  v.source_tokenizer = make_tokenizer(source, read_optional_model(vocab_files::source_sentencepiece(dir), source));
  v.target_tokenizer = make_tokenizer(target, read_optional_model(vocab_files::target_sentencepiece(dir), target));
  return v;
}

Vocabularies load_vocabularies(const std::string& dir) {
  const std::string path = vocab_files::description(dir);
  if (!std::filesystem::exists(path)) throw Error(dir + " is not a vocabulary directory (missing vocab.json)");
  try {
    const auto json = nlohmann::json::parse(read_file(path));
    Vocabularies v = load_vocabularies(dir, tokenizer_config_from_json(json.at("source")),
                                       tokenizer_config_from_json(json.at("target")));
    v.shared = json.value("shared", v.shared);
    return v;
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid vocabulary description: " + e.what());
  }
}

}  // namespace heed
