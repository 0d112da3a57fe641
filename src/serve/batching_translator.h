// Requests from many clients translated together: a queue in front of one model.
//
// Greedy requests without attention (what most clients send, LibreTranslate's among
// them) are decoded in flight (decode/inflight_greedy.h): the submitting thread (an HTTP
// connection's) tokenizes the request; its sentences join a worker's running search
// together with the other newcomers (one encoder call), up to `max_batch_sentences` at
// once, and each request is answered as soon as its own sentences end, not when a
// batch's longest one does. Other requests (beam search, attention, unknown-word
// replacement) are translated in fixed batches: the oldest and every waiting request
// with the same decoding options, up to `max_batch_sentences` sentences, in one call
// between two steps of the search. `max_wait_ms` bounds how long a request waits for
// company: a fixed batch while the worker is idle, newcomers to a search while it runs
// (see join_now). Each of `workers` threads has a search of its own, and a team of
// `threads` for its large products while other workers leave cores idle.
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
#include "util/thread_team.h"

namespace heed {

struct BatchingLimits {
  int64_t workers = 1;                // decoding threads, each with a batch of its own
  // Threads each worker's large packed products split over (util/thread_team.h) while
  // the cores are not all taken (busy workers x threads <= cores): they shorten a
  // request's wait at low load, and leave the cores to the other workers under load.
  // The rest of a step runs on the worker's own thread.
  int64_t threads = 1;
  int64_t max_batch_sentences = 64;   // sentences decoded together (by one worker)
  double max_wait_ms = 5.0;           // how long a request waits for company
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
    bool in_flight = false;  // decoded in flight (its choice allows it, and the translator caches)
    // In flight: the prepared sentences, its pieces of at most max_batch_sentences
    // (indices of its non-empty sentences) and how many joined a search so far, the
    // results (empty lines' filled at once), and how many sentences still decode.
    std::vector<PreparedSource> prepared;
    std::vector<std::vector<size_t>> chunks;
    size_t joined = 0;
    RequestResult results;
    size_t unfinished = 0;
    bool answered = false;  // its promise is set (results, or the error of a sentence)
    int64_t worker = -1;    // the worker its chunks join, once the first has (mutex_)
  };
  using RequestPtr = std::shared_ptr<Request>;
  // What the worker does next: a fixed batch, or chunks joining the search.
  struct Work {
    std::vector<RequestPtr> batch;
    struct Joining {
      RequestPtr request;
      size_t chunk;
    };
    std::vector<Joining> joining;
    bool stop = false;  // stopping, and nothing left for this worker
  };
  // What one decoding thread owns: its search and the sentences in it, by tag.
  struct InFlight {
    RequestPtr request;
    size_t sentence;
  };
  struct Worker {
    explicit Worker(Seq2SeqModel& model, int64_t index) : search(model), index(index) {}
    InflightGreedySearch search;
    int64_t index;
    std::unordered_map<int64_t, InFlight> in_flight;
    int64_t next_tag = 0;
    // Not a request partly in another worker's search (mutex_ held).
    bool may_take(const Request& request) const;
  };
  // Tokenizes an in-flight request's sentences and cuts it in pieces (the submitting thread).
  void prepare(Request& request) const;
  void work(int64_t index);
  // The next work of `worker`, waiting for it while the worker is idle; none when stopping.
  Work next_work(std::unique_lock<std::mutex>& lock, const Worker& worker);
  // Whether the waiting greedy requests join `worker`'s search at this step (queue lock held).
  bool join_now(const Worker& worker, int64_t room) const;
  void run_batch(const std::vector<RequestPtr>& batch);
  // Encodes the joining pieces and adds them to the worker's search.
  void join(Worker& worker, std::vector<Work::Joining>& joining);
  // One step of the worker's search; answers the requests whose last sentence ended.
  void step(Worker& worker);
  // A sentence of a request in flight ended: its translation, and the answer once it is
  // the request's last; or the request failed (answered with the error, once).
  void finish(Request& request, size_t sentence, Hypothesis hypothesis);
  void fail(Request& request, const std::exception_ptr& error);
  // The worker's search lost its state: every request in it fails.
  void fail_in_flight(Worker& worker, const std::exception_ptr& error);
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
  std::vector<std::unique_ptr<ThreadTeam>> teams_;  // one per worker, when threads > 1
  std::vector<std::thread> workers_;
};

}  // namespace heed
