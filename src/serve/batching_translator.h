// Requests from many clients translated together: a queue in front of one model.
//
// Each request (one or many sentences, with its own decoding options) waits in the
// queue; a worker thread takes the oldest request and every other waiting request with
// the same decoding options, up to `max_batch_sentences` sentences, waiting at most
// `max_wait_ms` after the oldest arrived for more to come, translates them in one call
// and hands each request its own results. The translator's output for a sentence does
// not depend on the sentences it shares a batch with (tests/decode: batch invariance),
// so batching never changes an output.
//
// A full queue refuses new requests (QueueFull) instead of growing without bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "decode/translator.h"
#include "model_dir/model_directory.h"

namespace heed {

struct BatchingLimits {
  int64_t max_batch_sentences = 64;   // sentences per model call
  double max_wait_ms = 5.0;           // how long the oldest request waits for company
  int64_t max_queue_sentences = 4096;  // sentences waiting, beyond which requests are refused
};

// What a request may choose; everything else is the server's TranslatorOptions.
struct DecodingChoice {
  SearchOptions search;
  bool replace_unknown = false;
  bool operator==(const DecodingChoice& other) const;
};

// Every sentence's n-best list (one entry unless search.nbest > 1), in request order.
using RequestResult = std::vector<std::vector<Translation>>;

class QueueFull : public std::runtime_error {
 public:
  QueueFull() : std::runtime_error("the translation queue is full") {}
};

class BatchingTranslator {
 public:
  // `model` must outlive the translator. `base` gives the options requests do not choose
  // (max_source_tokens, alignment head); its batch_size is replaced by the limits'.
  BatchingTranslator(const LoadedModel& model, TranslatorOptions base, BatchingLimits limits);
  ~BatchingTranslator();  // finishes the requests already queued, then stops
  BatchingTranslator(const BatchingTranslator&) = delete;
  BatchingTranslator& operator=(const BatchingTranslator&) = delete;

  // Queues a request; the future holds its results, or the exception its batch raised.
  // Throws QueueFull when the queue holds max_queue_sentences sentences already, and
  // heed::Error for decoding options out of range.
  std::future<RequestResult> submit(std::vector<std::string> sentences, const DecodingChoice& choice);

  // For logs and tests: model calls made and sentences translated so far.
  struct Counters {
    int64_t batches = 0;
    int64_t sentences = 0;
    int64_t largest_batch = 0;
  };
  Counters counters() const;

 private:
  struct Request {
    std::vector<std::string> sentences;
    DecodingChoice choice;
    std::promise<RequestResult> promise;
    std::chrono::steady_clock::time_point arrived;
  };
  void work();
  // Takes the oldest request and those that can join it; empty when stopping.
  std::vector<Request> next_batch(std::unique_lock<std::mutex>& lock);

  const LoadedModel& model_;
  TranslatorOptions base_;
  BatchingLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Request> queue_;
  int64_t queued_sentences_ = 0;
  bool stopping_ = false;
  Counters counters_;
  std::thread worker_;
};

}  // namespace heed
