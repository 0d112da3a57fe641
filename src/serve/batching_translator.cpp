#include "serve/batching_translator.h"

#include <torch/torch.h>

#include <algorithm>
#include <atomic>

#include "data/batching.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {

namespace {

// Marks its thread as a worker with something to decode; counts such workers across
// every translator of the process (they share the cores).
class BusyWorker {
 public:
  BusyWorker() = default;
  ~BusyWorker() { set(false); }
  BusyWorker(const BusyWorker&) = delete;
  BusyWorker& operator=(const BusyWorker&) = delete;
  void set(bool busy) {
    if (busy != busy_) busy_workers() += busy ? 1 : -1;
    busy_ = busy;
  }
  static int64_t count() { return busy_workers().load(std::memory_order_relaxed); }

 private:
  static std::atomic<int64_t>& busy_workers() {
    static std::atomic<int64_t> workers{0};
    return workers;
  }
  bool busy_ = false;
};

}  // namespace

bool DecodingChoice::operator==(const DecodingChoice& other) const {
  const SearchOptions &a = search, &b = other.search;
  return a.beam_size == b.beam_size && a.nbest == b.nbest && a.length_penalty == b.length_penalty &&
         a.max_length_ratio == b.max_length_ratio && a.max_length_offset == b.max_length_offset &&
         a.return_attention == b.return_attention && replace_unknown == other.replace_unknown;
}

bool DecodingChoice::in_flight() const {
  return search.beam_size == 1 && !search.return_attention && !replace_unknown;
}

BatchingTranslator::BatchingTranslator(const LoadedModel& model, TranslatorOptions base, BatchingLimits limits)
    : model_(model), base_(std::move(base)), translator_(model, base_), limits_(limits) {
  if (limits_.max_batch_sentences < 1) throw Error("the largest batch must hold at least one sentence");
  if (limits_.max_queue_sentences < 1) throw Error("the queue must hold at least one sentence");
  if (limits_.workers < 1) throw Error("at least one worker must decode");
  if (limits_.threads < 1) throw Error("each worker needs at least one thread");
  base_.batch_size = limits_.max_batch_sentences;
  // Each worker's team; its helpers only take cores that no other busy worker needs,
  // asked at each product (a long fixed batch sees other workers start).
  const int64_t threads = limits_.threads;
  for (int64_t index = 0; limits_.threads > 1 && index < limits_.workers; ++index) {
    teams_.push_back(std::make_unique<ThreadTeam>(static_cast<int>(threads),
                                                  [threads, cores = int64_t{core_count()}] { return BusyWorker::count() * threads <= cores; }));
  }
  for (int64_t index = 0; index < limits_.workers; ++index) workers_.emplace_back([this, index] { work(index); });
}

BatchingTranslator::~BatchingTranslator() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
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
  const auto size = static_cast<int64_t>(request->sentences.size());
  {
    // The queue's room is taken before tokenizing, so a full queue refuses at once.
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queued_sentences_ + size > limits_.max_queue_sentences) throw QueueFull();
    queued_sentences_ += size;
  }
  // In flight needs the model's incremental state, which a translator without cache lacks.
  request->in_flight = choice.in_flight() && base_.use_cache;
  if (request->in_flight) {
    try {
      prepare(*request);  // tokenizing on this thread, while the workers decode
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      queued_sentences_ -= size;
      throw;
    }
    if (request->chunks.empty()) {  // empty lines only: answered without the model
      std::lock_guard<std::mutex> lock(mutex_);
      queued_sentences_ -= size;
      counters_.sentences += size;
      request->promise.set_value(std::move(request->results));
      return future;
    }
  }
  request->arrived = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(std::move(request));
  }
  wake_.notify_all();
  return future;
}

void BatchingTranslator::prepare(Request& request) const {
  const size_t count = request.sentences.size();
  request.results.resize(count);
  for (size_t i = 0; i < count; ++i) {
    request.prepared.push_back(translator_.prepare(request.sentences[i]));
    if (request.prepared.back().tokens.empty()) {
      request.results[i] = {translator_.translation_of(request.prepared.back(), Hypothesis())};
    } else {
      if (request.chunks.empty() || static_cast<int64_t>(request.chunks.back().size()) == limits_.max_batch_sentences) {
        request.chunks.emplace_back();
      }
      request.chunks.back().push_back(i);
      ++request.unfinished;
    }
  }
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

bool BatchingTranslator::Worker::may_take(const Request& request) const {
  return request.worker < 0 || request.worker == index;
}

BatchingTranslator::Work BatchingTranslator::next_work(std::unique_lock<std::mutex>& lock, const Worker& worker) {
  const int64_t in_flight = worker.search.size();
  Work work;
  // The oldest request this worker may take (not one partly in another worker's search).
  const auto oldest = [&] {
    return std::find_if(queue_.begin(), queue_.end(), [&](const RequestPtr& r) { return worker.may_take(*r); });
  };
  if (in_flight == 0) {
    wake_.wait(lock, [&] { return stopping_ || oldest() != queue_.end(); });
    if (oldest() == queue_.end()) {
      work.stop = true;
      return work;
    }
  }
  if (oldest() == queue_.end()) return work;
  const RequestPtr front = *oldest();
  if (in_flight == 0 && !front->in_flight) {
    // For a fixed batch, company may come until the oldest request has waited
    // max_wait_ms, unless there is enough for a full batch already. (The search in
    // flight starts at once: whoever comes later joins it at its next step.)
    const auto deadline = front->arrived + std::chrono::microseconds(static_cast<int64_t>(limits_.max_wait_ms * 1000));
    auto joinable = [&] {
      int64_t sentences = 0;
      for (const auto& request : queue_) {
        // Company for a fixed batch: the requests with its options.
        if (request->choice == front->choice) sentences += static_cast<int64_t>(request->sentences.size());
      }
      return sentences;
    };
    while (!stopping_ && joinable() < limits_.max_batch_sentences &&
           wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
    }
  }
  const DecodingChoice choice = front->choice;
  int64_t taken = 0;
  if (!front->in_flight) {
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
    const int64_t room = limits_.max_batch_sentences - in_flight;
    if (in_flight > 0 && !join_now(worker, room)) return work;
    // Chunks join the search, oldest request first, while they fit (a chunk is at most
    // a batch, so the first fits an empty search).
    for (auto it = queue_.begin(); it != queue_.end();) {
      Request& request = **it;
      if (!request.in_flight || !worker.may_take(request)) {
        ++it;  // a fixed batch's, or partly in another worker's search
        continue;
      }
      bool full = false;
      while (request.joined < request.chunks.size()) {
        const auto size = static_cast<int64_t>(request.chunks[request.joined].size());
        if (taken + size > room) {
          full = true;
          break;
        }
        taken += size;
        request.worker = worker.index;
        work.joining.push_back({*it, request.joined++});
      }
      if (full) break;
      // Its empty lines, answered when it was prepared, leave the queue with it.
      int64_t empty_lines = static_cast<int64_t>(request.sentences.size());
      for (const auto& chunk : request.chunks) empty_lines -= static_cast<int64_t>(chunk.size());
      queued_sentences_ -= empty_lines;
      counters_.sentences += empty_lines;
      it = queue_.erase(it);
    }
  }
  queued_sentences_ -= taken;
  return work;
}

bool BatchingTranslator::join_now(const Worker& worker, int64_t room) const {
  const int64_t in_flight = worker.search.size();
  // Joining copies the whole state of the search: newcomers join together, once they
  // are a quarter of what is in flight, fill the room, or the oldest has waited max_wait_ms.
  int64_t waiting = 0;
  const Request* oldest = nullptr;
  for (const auto& request : queue_) {
    if (!request->in_flight || !worker.may_take(*request)) continue;
    if (!oldest) oldest = request.get();
    for (size_t c = request->joined; c < request->chunks.size(); ++c) {
      waiting += static_cast<int64_t>(request->chunks[c].size());
    }
  }
  if (waiting == 0) return false;
  const auto waited = std::chrono::steady_clock::now() - oldest->arrived;
  return 4 * waiting >= in_flight || waiting >= room ||
         waited >= std::chrono::microseconds(static_cast<int64_t>(limits_.max_wait_ms * 1000));
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

void BatchingTranslator::join(Worker& worker, std::vector<Work::Joining>& joining) {
  // One encoder call for the newcomers with the same length options (usually all of them):
  // encoding a sentence alone costs several times its share of a batch.
  const torch::Device& device = translator_.device();
  std::vector<bool> done(joining.size(), false);
  for (size_t first = 0; first < joining.size(); ++first) {
    if (done[first]) continue;
    std::vector<std::vector<int64_t>> ids;
    std::vector<int64_t> tags;
    for (size_t k = first; k < joining.size(); ++k) {
      if (done[k] || !(joining[k].request->choice == joining[first].request->choice)) continue;
      done[k] = true;
      const Request& request = *joining[k].request;
      for (size_t sentence : request.chunks[joining[k].chunk]) {
        ids.push_back(request.prepared[sentence].ids);
        tags.push_back(worker.next_tag);
        worker.in_flight[worker.next_tag++] = {joining[k].request, sentence};
      }
    }
    try {
      worker.search.add(make_source_batch(ids, device), tags, joining[first].request->choice.search);
    } catch (...) {
      // A failed merge may have left the search's state half changed: nothing in it is trusted.
      const auto error = std::current_exception();
      fail_in_flight(worker, error);
      for (auto& later : joining) fail(*later.request, error);
      return;
    }
    count(1, 0, worker.search.size());
  }
}

void BatchingTranslator::fail_in_flight(Worker& worker, const std::exception_ptr& error) {
  for (auto& [tag, slot] : worker.in_flight) fail(*slot.request, error);
  worker.in_flight.clear();
  worker.search.clear();
}

void BatchingTranslator::step(Worker& worker) {
  std::vector<InflightGreedySearch::Finished> finished;
  try {
    finished = worker.search.step();
  } catch (...) {
    fail_in_flight(worker, std::current_exception());
    return;
  }
  for (auto& done : finished) {
    const auto slot = worker.in_flight.find(done.tag);
    const RequestPtr request = slot->second.request;
    const size_t sentence = slot->second.sentence;
    worker.in_flight.erase(slot);
    finish(*request, sentence, std::move(done.hypothesis));
  }
  count(0, static_cast<int64_t>(finished.size()), 0);
}

void BatchingTranslator::work(int64_t index) {
  // Grad mode is per thread: this one never records a graph.
  const torch::InferenceMode inference;
  // Without a team the products use LibTorch's intra-op threads (the server gives it one).
  const ThreadTeamScope products(teams_.empty() ? nullptr : teams_[static_cast<size_t>(index)].get());
  BusyWorker busy;
  Worker worker(*model_.model, index);
  for (;;) {
    Work work;
    {
      busy.set(worker.search.size() > 0);  // idle while it waits in next_work
      std::unique_lock<std::mutex> lock(mutex_);
      work = next_work(lock, worker);
    }
    if (work.stop) return;  // stopping, and nothing for this worker queued or in flight
    busy.set(true);
    if (!work.batch.empty()) {
      run_batch(work.batch);  // between two steps of the search
      continue;
    }
    if (!work.joining.empty()) join(worker, work.joining);
    if (worker.search.size() > 0) step(worker);
  }
}

}  // namespace heed
