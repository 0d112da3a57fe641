// Requests from many clients translated together: a queue in front of one model.
//
// Greedy requests without attention (what most clients send, LibreTranslate's among
// them) are decoded in flight (decode/inflight_greedy.h): their sentences join the
// running search at its next step, up to `max_batch_sentences` at once, and each request
// is answered as soon as its own sentences end, not when a batch's longest one does.
// Other requests (beam search, attention, unknown-word replacement) are translated in
// fixed batches: the oldest and every waiting request with the same decoding options, up
// to `max_batch_sentences` sentences, in one call between two steps of the search.
// A fixed batch waits for company while the model is idle, the oldest request at most
// `max_wait_ms`; the search in flight starts at once, since later requests join it.
// A sentence's output does not depend on the sentences it is decoded with (tokens and
// text equal, scores to float rounding; tests/decode), so batching never changes an output.
//
// A full queue refuses new requests (QueueFull) instead of growing without bound.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "decode/inflight_greedy.h"
#include "decode/translator.h"
#include "model_dir/model_directory.h"

namespace heed {

struct BatchingLimits {
  int64_t max_batch_sentences = 64;   // sentences decoded together
  double max_wait_ms = 5.0;           // how long the oldest request of a fixed batch waits
                                      // for company while the model is idle
  int64_t max_queue_sentences = 4096;  // sentences waiting, beyond which requests are refused
};

// What a request may choose; everything else is the server's TranslatorOptions.
struct DecodingChoice {
  SearchOptions search;
  bool replace_unknown = false;
  bool operator==(const DecodingChoice& other) const;
  // Decoded in flight: greedy, without attention.
  bool in_flight() const;
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

  // For logs and tests: what the model was given so far.
  struct Counters {
    int64_t batches = 0;        // fixed batches, and groups of sentences joining the search
    int64_t sentences = 0;      // sentences translated
    int64_t largest_batch = 0;  // the most sentences decoded together
  };
  Counters counters() const;

 private:
  struct Request {
    std::vector<std::string> sentences;
    DecodingChoice choice;
    std::promise<RequestResult> promise;
    std::chrono::steady_clock::time_point arrived;
    // In flight: the prepared sentences (tokenized by the submitting thread), how many
    // joined the search so far, the results, and how many are still decoding.
    std::vector<PreparedSource> prepared;
    size_t joined = 0;
    RequestResult results;
    size_t unfinished = 0;
    bool answered = false;  // its promise is set (results, or the error of a sentence)
  };
  using RequestPtr = std::shared_ptr<Request>;
  // What the worker does next: a fixed batch, or sentences joining the search.
  struct Work {
    std::vector<RequestPtr> batch;
    struct Joining {
      RequestPtr request;
      size_t sentence;
    };
    std::vector<Joining> joining;
  };
  void work();
  // The next work, waiting for it while the model is idle; none when stopping.
  Work next_work(std::unique_lock<std::mutex>& lock, int64_t in_flight);
  void run_batch(const std::vector<RequestPtr>& batch);
  // Adds the joining sentences to the search; empty lines are answered at once.
  void join(InflightGreedySearch& search, std::vector<Work::Joining>& joining);
  // One step of the search; answers the requests whose last sentence ended.
  void step(InflightGreedySearch& search);
  // A sentence of a request in flight ended: its translation, and the answer once it is
  // the request's last; or the request failed (answered with the error, once).
  void finish(Request& request, size_t sentence, Hypothesis hypothesis);
  void fail(Request& request, const std::exception_ptr& error);
  void count(int64_t batches, int64_t sentences, int64_t decoded_together);

  const LoadedModel& model_;
  TranslatorOptions base_;
  Translator translator_;  // base_ options: prepares sentences, makes translations
  BatchingLimits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<RequestPtr> queue_;
  int64_t queued_sentences_ = 0;
  bool stopping_ = false;
  Counters counters_;
  // Worker only: each sentence in the search by its tag.
  struct InFlight {
    RequestPtr request;
    size_t sentence;
  };
  std::unordered_map<int64_t, InFlight> in_flight_;
  int64_t next_tag_ = 0;
  std::thread worker_;
};

}  // namespace heed
