#include "decode/shortlist.h"

#include <algorithm>
#include <set>

#include "text/vocabulary.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "util/strings.h"

namespace heed {

namespace {

constexpr const char* kHeader = "heed-shortlist 1";

std::string join_spaces(const std::vector<std::string>& tokens) {
  std::string text;
  for (const auto& token : tokens) text += (text.empty() ? "" : " ") + token;
  return text;
}

// The distinct ids of a token list, without the special ones.
std::vector<int64_t> distinct_ids(const Vocabulary& vocab, const std::vector<std::string>& tokens) {
  std::vector<int64_t> ids = vocab.ids(tokens);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  ids.erase(std::remove_if(ids.begin(), ids.end(), [](int64_t id) { return id <= Vocabulary::kEos; }), ids.end());
  return ids;
}

}  // namespace

Shortlist Shortlist::build(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                           const ShortlistOptions& options) {
  const int64_t target_size = model.target_vocab.size();
  std::vector<int64_t> source_pairs(static_cast<size_t>(model.source_vocab.size()), 0);
  std::vector<int64_t> target_pairs(static_cast<size_t>(target_size), 0);
  std::vector<int64_t> target_tokens(static_cast<size_t>(target_size), 0);
  std::unordered_map<int64_t, int64_t> both;  // key: source id * target_size + target id
  for (const auto& pair : pairs) {
    const auto source = distinct_ids(model.source_vocab, model.source_tokenizer->encode(pair.source));
    const auto target_list = model.target_tokenizer->encode(pair.target);
    for (int64_t id : model.target_vocab.ids(target_list)) {
      if (id > Vocabulary::kEos) ++target_tokens[static_cast<size_t>(id)];
    }
    const auto target = distinct_ids(model.target_vocab, target_list);
    for (int64_t s : source) ++source_pairs[static_cast<size_t>(s)];
    for (int64_t t : target) ++target_pairs[static_cast<size_t>(t)];
    for (int64_t s : source) {
      for (int64_t t : target) ++both[s * target_size + t];
    }
  }
  Shortlist shortlist;
  // The most frequent target tokens (ties: the lower id, the vocabulary's order).
  std::vector<int64_t> by_frequency;
  for (int64_t t = Vocabulary::kEos + 1; t < target_size; ++t) {
    if (target_tokens[static_cast<size_t>(t)] > 0) by_frequency.push_back(t);
  }
  std::stable_sort(by_frequency.begin(), by_frequency.end(), [&](int64_t a, int64_t b) {
    return target_tokens[static_cast<size_t>(a)] > target_tokens[static_cast<size_t>(b)];
  });
  by_frequency.resize(std::min<size_t>(by_frequency.size(), static_cast<size_t>(std::max<int64_t>(0, options.frequent))));
  for (int64_t t : by_frequency) shortlist.frequent_.push_back(model.target_vocab.token(t));
  // Per source token, its targets by Dice coefficient, best first.
  std::unordered_map<int64_t, std::vector<std::pair<double, int64_t>>> scored;
  for (const auto& [key, count] : both) {
    const int64_t s = key / target_size, t = key % target_size;
    const double dice = 2.0 * static_cast<double>(count) /
                        static_cast<double>(source_pairs[static_cast<size_t>(s)] + target_pairs[static_cast<size_t>(t)]);
    scored[s].push_back({dice, t});
  }
  std::vector<int64_t> sources;
  for (const auto& entry : scored) sources.push_back(entry.first);
  std::sort(sources.begin(), sources.end());
  for (int64_t s : sources) {
    auto& candidates = scored[s];
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<std::string> targets;
    for (size_t i = 0; i < candidates.size() && static_cast<int64_t>(i) < options.per_source; ++i) {
      targets.push_back(model.target_vocab.token(candidates[i].second));
    }
    shortlist.lists_.push_back({model.source_vocab.token(s), std::move(targets)});
  }
  shortlist.resolve(model);
  return shortlist;
}

Shortlist Shortlist::load(const std::string& path, const LoadedModel& model) {
  LineReader reader(path);
  Shortlist shortlist;
  const auto header = reader.next();
  if (!header || *header != kHeader) {
    throw Error(at_line(path, 1, "not a heed shortlist (its first line must be \"" + std::string(kHeader) + "\")"));
  }
  const auto frequent = reader.next();
  if (!frequent) throw Error(at_line(path, 2, "the line of frequent target tokens is missing"));
  shortlist.frequent_ = split_words(*frequent);
  while (auto line = reader.next()) {
    const size_t tab = line->find('\t');
    if (tab == std::string::npos || tab == 0 || line->find('\t', tab + 1) != std::string::npos) {
      throw Error(at_line(path, reader.line_number(), "expected a source token, a tab and target tokens"));
    }
    shortlist.lists_.push_back({line->substr(0, tab), split_words(line->substr(tab + 1))});
  }
  shortlist.resolve(model);
  return shortlist;
}

void Shortlist::save(const std::string& path) const {
  write_atomically(path, [&](std::ostream& out) {
    out << kHeader << "\n" << join_spaces(frequent_) << "\n";
    for (const auto& [source, targets] : lists_) out << source << "\t" << join_spaces(targets) << "\n";
  });
}

void Shortlist::resolve(const LoadedModel& model) {
  always_ids_ = {Vocabulary::kUnk, Vocabulary::kEos};
  for (int64_t id : model.target_vocab.ids(frequent_)) always_ids_.push_back(id);
  ids_by_source_.clear();
  for (const auto& [source, targets] : lists_) {
    const int64_t s = model.source_vocab.id(source);
    if (s == Vocabulary::kUnk && source != model.source_vocab.token(Vocabulary::kUnk)) continue;  // not in the vocabulary
    auto& ids = ids_by_source_[s];
    for (int64_t t : model.target_vocab.ids(targets)) {
      if (t != Vocabulary::kUnk) ids.push_back(t);
    }
  }
}

torch::Tensor Shortlist::candidates(const std::vector<std::vector<int64_t>>& sources) const {
  std::set<int64_t> ids(always_ids_.begin(), always_ids_.end());
  for (const auto& sentence : sources) {
    for (int64_t s : sentence) {
      const auto found = ids_by_source_.find(s);
      if (found != ids_by_source_.end()) ids.insert(found->second.begin(), found->second.end());
    }
  }
  return torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kInt64);
}

}  // namespace heed
