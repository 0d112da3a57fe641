#include "serve/batching_translator.h"

#include <torch/torch.h>

#include "util/error.h"

namespace heed {

bool DecodingChoice::operator==(const DecodingChoice& other) const {
  const SearchOptions &a = search, &b = other.search;
  return a.beam_size == b.beam_size && a.nbest == b.nbest && a.length_penalty == b.length_penalty &&
         a.max_length_ratio == b.max_length_ratio && a.max_length_offset == b.max_length_offset &&
         a.return_attention == b.return_attention && replace_unknown == other.replace_unknown;
}

BatchingTranslator::BatchingTranslator(const LoadedModel& model, TranslatorOptions base, BatchingLimits limits)
    : model_(model), base_(std::move(base)), limits_(limits) {
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
  Request request;
  request.sentences = std::move(sentences);
  request.choice = choice;
  request.arrived = std::chrono::steady_clock::now();
  auto future = request.promise.get_future();
  if (request.sentences.empty()) {
    request.promise.set_value({});
    return future;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto size = static_cast<int64_t>(request.sentences.size());
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

std::vector<BatchingTranslator::Request> BatchingTranslator::next_batch(std::unique_lock<std::mutex>& lock) {
  wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return {};
  // Company may come until the oldest request has waited max_wait_ms, unless the batch
  // is full already.
  const auto deadline = queue_.front().arrived + std::chrono::microseconds(static_cast<int64_t>(limits_.max_wait_ms * 1000));
  auto joinable = [&] {
    int64_t sentences = 0;
    for (const auto& request : queue_) {
      if (request.choice == queue_.front().choice) sentences += static_cast<int64_t>(request.sentences.size());
    }
    return sentences;
  };
  while (!stopping_ && joinable() < limits_.max_batch_sentences &&
         wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
  }
  // The oldest request always goes (even when larger than a batch: the translator splits
  // it); then every waiting request with the same choice while the batch has room.
  std::vector<Request> batch;
  const DecodingChoice choice = queue_.front().choice;
  int64_t sentences = 0;
  for (auto it = queue_.begin(); it != queue_.end();) {
    const auto size = static_cast<int64_t>(it->sentences.size());
    if (it->choice == choice && (batch.empty() || sentences + size <= limits_.max_batch_sentences)) {
      sentences += size;
      batch.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  queued_sentences_ -= sentences;
  return batch;
}

void BatchingTranslator::work() {
  // Grad mode is per thread: this one never records a graph.
  const torch::InferenceMode inference;
  for (;;) {
    std::vector<Request> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      batch = next_batch(lock);
    }
    if (batch.empty()) return;
    std::vector<std::string> sentences;
    for (const auto& request : batch) sentences.insert(sentences.end(), request.sentences.begin(), request.sentences.end());
    // One model call for the batch; each request gets its own slice, or the error.
    std::vector<std::vector<Translation>> results;
    try {
      TranslatorOptions options = base_;
      options.search = batch.front().choice.search;
      options.replace_unknown = batch.front().choice.replace_unknown;
      results = Translator(model_, options).translate_nbest(sentences);
    } catch (...) {
      for (auto& request : batch) request.promise.set_exception(std::current_exception());
      continue;
    }
    size_t at = 0;
    for (auto& request : batch) {
      const auto first = results.begin() + static_cast<std::ptrdiff_t>(at);
      at += request.sentences.size();
      request.promise.set_value(RequestResult(std::make_move_iterator(first),
                                              std::make_move_iterator(results.begin() + static_cast<std::ptrdiff_t>(at))));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    counters_.batches += 1;
    counters_.sentences += static_cast<int64_t>(sentences.size());
    counters_.largest_batch = std::max<int64_t>(counters_.largest_batch, static_cast<int64_t>(sentences.size()));
  }
}

}  // namespace heed
