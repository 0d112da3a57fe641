#include "serve/batching_translator.h"

#include <torch/torch.h>

#include <algorithm>

#include "data/batching.h"
#include "util/error.h"

namespace heed {

bool DecodingChoice::operator==(const DecodingChoice& other) const {
  const SearchOptions &a = search, &b = other.search;
  return a.beam_size == b.beam_size && a.nbest == b.nbest && a.length_penalty == b.length_penalty &&
         a.max_length_ratio == b.max_length_ratio && a.max_length_offset == b.max_length_offset &&
         a.return_attention == b.return_attention && replace_unknown == other.replace_unknown;
}

bool DecodingChoice::in_flight() const {
  return search.beam_size == 1 && !search.return_attention && !replace_unknown;
}

namespace {
// Can two requests be decoded together? In flight any greedy ones; in a fixed batch
// those with the same options.
bool decoded_together(const DecodingChoice& a, const DecodingChoice& b) {
  return a.in_flight() ? b.in_flight() : a == b;
}
}  // namespace

BatchingTranslator::BatchingTranslator(const LoadedModel& model, TranslatorOptions base, BatchingLimits limits)
    : model_(model), base_(std::move(base)), translator_(model, base_), limits_(limits) {
  if (limits_.max_batch_sentences < 1) throw Error("the largest batch must hold at least one sentence");
  if (limits_.max_queue_sentences < 1) throw Error("the queue must hold at least one sentence");
  base_.batch_size = limits_.max_batch_sentences;
  worker_ = std::thread([this] { work(); });
}

BatchingTranslator::~BatchingTranslator() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

std::future<RequestResult> BatchingTranslator::submit(std::vector<std::string> sentences, const DecodingChoice& choice) {
  choice.search.validate();
  auto request = std::make_shared<Request>();
  request->sentences = std::move(sentences);
  request->choice = choice;
  auto future = request->promise.get_future();
  if (request->sentences.empty()) {
    request->promise.set_value({});
    return future;
  }
  // The search in flight needs the token ids; preparing them here keeps tokenizing off
  // the model's thread.
  if (choice.in_flight() && base_.use_cache) {
    for (const auto& sentence : request->sentences) request->prepared.push_back(translator_.prepare(sentence));
  }
  request->arrived = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto size = static_cast<int64_t>(request->sentences.size());
    if (stopping_ || queued_sentences_ + size > limits_.max_queue_sentences) throw QueueFull();
    queued_sentences_ += size;
    queue_.push_back(std::move(request));
  }
  wake_.notify_all();
  return future;
}

BatchingTranslator::Counters BatchingTranslator::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

void BatchingTranslator::count(int64_t batches, int64_t sentences, int64_t decoded_together) {
  std::lock_guard<std::mutex> lock(mutex_);
  counters_.batches += batches;
  counters_.sentences += sentences;
  counters_.largest_batch = std::max(counters_.largest_batch, decoded_together);
}

BatchingTranslator::Work BatchingTranslator::next_work(std::unique_lock<std::mutex>& lock, int64_t in_flight) {
  Work work;
  if (in_flight == 0) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return work;
  }
  if (in_flight == 0 && !(queue_.front()->choice.in_flight() && base_.use_cache)) {
    // For a fixed batch, company may come until the oldest request has waited
    // max_wait_ms, unless there is enough for a full batch already. (The search in
    // flight starts at once: whoever comes later joins it at its next step.)
    const auto deadline =
        queue_.front()->arrived + std::chrono::microseconds(static_cast<int64_t>(limits_.max_wait_ms * 1000));
    auto joinable = [&] {
      int64_t sentences = 0;
      for (const auto& request : queue_) {
        if (decoded_together(request->choice, queue_.front()->choice)) {
          sentences += static_cast<int64_t>(request->sentences.size() - request->joined);
        }
      }
      return sentences;
    };
    while (!stopping_ && joinable() < limits_.max_batch_sentences &&
           wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
    }
  }
  if (queue_.empty()) return work;
  const DecodingChoice choice = queue_.front()->choice;
  int64_t taken = 0;
  if (!choice.in_flight() || !base_.use_cache) {
    // A fixed batch: the oldest request always goes (even when larger than a batch: the
    // translator splits it), then every waiting request with its options while there is room.
    for (auto it = queue_.begin(); it != queue_.end();) {
      const auto size = static_cast<int64_t>((*it)->sentences.size());
      if ((*it)->choice == choice && (work.batch.empty() || taken + size <= limits_.max_batch_sentences)) {
        taken += size;
        work.batch.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  } else {
    // Sentences join the search, oldest request first, while it has room; a request
    // larger than the room joins over several steps.
    const int64_t room = limits_.max_batch_sentences - in_flight;
    for (auto it = queue_.begin(); it != queue_.end() && taken < room;) {
      Request& request = **it;
      if (!request.choice.in_flight()) {
        ++it;
        continue;
      }
      while (request.joined < request.sentences.size() && taken < room) {
        work.joining.push_back({*it, request.joined++});
        ++taken;
      }
      it = request.joined == request.sentences.size() ? queue_.erase(it) : std::next(it);
    }
  }
  queued_sentences_ -= taken;
  return work;
}

void BatchingTranslator::run_batch(const std::vector<RequestPtr>& batch) {
  std::vector<std::string> sentences;
  for (const auto& request : batch) sentences.insert(sentences.end(), request->sentences.begin(), request->sentences.end());
  // One model call for the batch; each request gets its own slice, or the error.
  std::vector<std::vector<Translation>> results;
  try {
    TranslatorOptions options = base_;
    options.search = batch.front()->choice.search;
    options.replace_unknown = batch.front()->choice.replace_unknown;
    results = Translator(model_, options).translate_nbest(sentences);
  } catch (...) {
    for (const auto& request : batch) request->promise.set_exception(std::current_exception());
    return;
  }
  size_t at = 0;
  for (const auto& request : batch) {
    const auto first = results.begin() + static_cast<std::ptrdiff_t>(at);
    at += request->sentences.size();
    request->promise.set_value(RequestResult(std::make_move_iterator(first),
                                             std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(at))));
  }
  const auto size = static_cast<int64_t>(sentences.size());
  count(1, size, std::min(size, limits_.max_batch_sentences));
}

void BatchingTranslator::finish(Request& request, size_t sentence, Hypothesis hypothesis) {
  if (request.answered) return;
  try {
    request.results[sentence] = {translator_.translation_of(request.prepared[sentence], std::move(hypothesis))};
  } catch (...) {
    fail(request, std::current_exception());
    return;
  }
  if (--request.unfinished == 0) {
    request.answered = true;
    request.promise.set_value(std::move(request.results));
  }
}

void BatchingTranslator::fail(Request& request, const std::exception_ptr& error) {
  if (request.answered) return;
  request.answered = true;
  request.promise.set_exception(error);
}

void BatchingTranslator::join(InflightGreedySearch& search, std::vector<Work::Joining>& joining) {
  // One encoder call per group of sentences with the same length options (usually one).
  std::vector<std::vector<size_t>> groups;  // indices into joining
  for (size_t k = 0; k < joining.size(); ++k) {
    Request& request = *joining[k].request;
    if (request.results.empty()) {
      request.results.resize(request.sentences.size());
      request.unfinished = request.sentences.size();
    }
    const PreparedSource& source = request.prepared[joining[k].sentence];
    if (source.tokens.empty()) {  // an empty line: its empty translation, no decoding
      finish(request, joining[k].sentence, Hypothesis());
      count(0, 1, 0);
      continue;
    }
    if (request.answered) continue;  // failed already
    auto group = std::find_if(groups.begin(), groups.end(), [&](const std::vector<size_t>& g) {
      return joining[g.front()].request->choice == request.choice;
    });
    if (group == groups.end()) {
      groups.push_back({k});
    } else {
      group->push_back(k);
    }
  }
  const torch::Device device = model_.model->parameters().empty() ? torch::Device(torch::kCPU)
                                                                  : model_.model->parameters().front().device();
  for (const auto& group : groups) {
    std::vector<std::vector<int64_t>> ids;
    std::vector<int64_t> tags;
    for (size_t k : group) {
      ids.push_back(joining[k].request->prepared[joining[k].sentence].ids);
      tags.push_back(next_tag_);
      in_flight_[next_tag_++] = {joining[k].request, joining[k].sentence};
    }
    try {
      search.add(make_source_batch(ids, device), tags, joining[group.front()].request->choice.search);
    } catch (...) {
      // These sentences never joined; their requests fail (and whatever of them is in flight).
      const auto error = std::current_exception();
      for (int64_t tag : tags) {
        const RequestPtr request = in_flight_.at(tag).request;
        in_flight_.erase(tag);
        fail(*request, error);
      }
      continue;
    }
    count(1, 0, search.size());
  }
}

void BatchingTranslator::step(InflightGreedySearch& search) {
  std::vector<InflightGreedySearch::Finished> finished;
  try {
    finished = search.step();
  } catch (...) {
    // The search's state is lost: every request in it fails, once.
    const auto error = std::current_exception();
    for (auto& [tag, slot] : in_flight_) fail(*slot.request, error);
    in_flight_.clear();
    search.clear();
    return;
  }
  for (auto& done : finished) {
    const auto slot = in_flight_.find(done.tag);
    const RequestPtr request = slot->second.request;
    const size_t sentence = slot->second.sentence;
    in_flight_.erase(slot);
    finish(*request, sentence, std::move(done.hypothesis));
  }
  count(0, static_cast<int64_t>(finished.size()), 0);
}

void BatchingTranslator::work() {
  // Grad mode is per thread: this one never records a graph.
  const torch::InferenceMode inference;
  InflightGreedySearch search(*model_.model);
  for (;;) {
    Work work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work = next_work(lock, search.size());
    }
    if (!work.batch.empty()) {
      run_batch(work.batch);  // between two steps of the search
      continue;
    }
    if (!work.joining.empty()) join(search, work.joining);
    if (search.size() > 0) {
      step(search);
    } else if (work.joining.empty()) {
      return;  // stopping, and nothing queued or in flight
    }
  }
}

}  // namespace heed
