// heed serve: model directories behind an HTTP JSON API (serve/translation_api.h) and
// LibreTranslate's endpoints, with requests of many clients batched together.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "models/packed_linear.h"
#include "serve/http_server.h"
#include "serve/translation_api.h"
#include "util/error.h"
#include "util/signal_counter.h"
#include "util/threads.h"

namespace heed {

namespace {

struct ServeCommandOptions {
  std::vector<std::string> models;  // DIR or NAME=DIR
  std::vector<std::string> examples;
  HttpOptions http;
  BatchingLimits batching;
  ApiLimits api;
  RuntimeOptions runtime;
  InferencePrecision precision;
};

// NAME=DIR, or DIR named after its last path component.
std::pair<std::string, std::string> name_and_directory(const std::string& spec) {
  const size_t equals = spec.find('=');
  if (equals != std::string::npos && equals > 0 && !std::filesystem::exists(spec)) {
    return {spec.substr(0, equals), spec.substr(equals + 1)};
  }
  std::string dir = spec;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return {std::filesystem::path(dir).filename().string(), spec};
}

void run_serve(ServeCommandOptions& o) {
  // Unless told otherwise, one worker per core: at a server's batch sizes most of a step
  // is work that one thread runs, and workers with searches of their own use every core.
  // Each worker has a second thread for its large products while the other workers leave
  // cores idle: at low load a request's wait shortens (a third of it for the GRU at one
  // client), under load nothing changes (scripts/bench-serve.sh).
  const int cores = core_count();
  if (o.batching.workers == 0) o.batching.workers = cores;
  const int asked_threads = o.runtime.threads;
  if (asked_threads > cores) {
    // Helpers only run while busy workers x threads <= cores: more would never help.
    spdlog::warn("--threads {}: more than this machine's {} cores; using {}", asked_threads, cores, cores);
  }
  o.batching.threads = asked_threads > 0 ? std::min(asked_threads, cores) : std::min(2, cores);
  // LibTorch's and the BLAS library's pools get one thread: theirs spin between products
  // and take the cores the other workers and the connections need. A worker's --threads
  // are a team (util/thread_team.h) that only its large packed products wake.
  o.runtime.threads = 1;
  const torch::Device device = o.runtime.apply();
  std::vector<ServedModel> models;
  for (const auto& spec : o.models) {
    auto [name, dir] = name_and_directory(spec);
    ServedModel served;
    served.name = name;
    served.directory = dir;
    served.model = load_model_directory(dir, WhichWeights::Best, device);
    use_precision(served.model, o.precision, device);
    served.examples = o.examples;
    for (const auto& example : served.model.config.examples) served.examples.push_back(example);
    spdlog::info("model {}: {} from {}", name, served.model.config.model, dir);
    models.push_back(std::move(served));
  }
  if (o.precision.precision == Precision::Float32 && !float32_products_packed()) {
    // Unpacked float32 (a GPU, a CPU without AVX-512, --fp32-blas): the products are the
    // BLAS library's (or the GPU's), which a team cannot split. Its pool, shared by the
    // workers and busy-waiting, gets more than one thread only when asked for.
    o.batching.threads = 1;
    if (asked_threads > 1) set_threads(std::min(asked_threads, cores));
    spdlog::info("decoding on {} worker{}, float32 products on the BLAS library's {} thread{}", o.batching.workers,
                 o.batching.workers == 1 ? "" : "s", thread_count(), thread_count() == 1 ? "" : "s");
  } else {
    spdlog::info("decoding on {} worker{} of {} thread{}", o.batching.workers, o.batching.workers == 1 ? "" : "s",
                 o.batching.threads, o.batching.threads == 1 ? "" : "s");
  }
  const TranslationApi api(std::move(models), TranslatorOptions{}, o.batching, o.api);
  HttpServer server(api, o.http);
  const int port = server.bind();
  // SIGINT and SIGTERM, whichever thread they reach, set a flag that a watcher turns into
  // a stop: the server finishes the requests in flight, then run() returns.
  const SignalCounter signals;
  std::atomic<bool> done{false};
  std::thread watcher([&server, &done] {
    while (!done && SignalCounter::count() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (SignalCounter::count() != 0) {
      spdlog::info("{}: finishing the requests in flight, then stopping",
                   SignalCounter::last() == SIGTERM ? "SIGTERM" : "SIGINT");
      server.stop();
    }
  });
  spdlog::info("serving on http://{}:{}/ (the attention explorer; POST /v1/translate, POST /translate, "
               "GET /v1/models, GET /health)",
               o.http.host, port);
  std::exception_ptr failure;
  try {
    server.run();
  } catch (...) {
    failure = std::current_exception();
  }
  done = true;
  watcher.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeCommandOptions>();
  auto* cmd = app.add_subcommand("serve", "Translate over HTTP: a JSON API and LibreTranslate's endpoints");
  cmd->footer(R"(Endpoints (JSON in and out; errors are {"error": "..."} with a 4xx/5xx status):
  GET  /               the attention explorer: a page to translate and see every head respond
  GET  /health         {"status": "ok", "models": [...]}
  GET  /v1/models      each model's name, registry name, hyperparameters, tokenizers, vocabularies
  POST /v1/translate   {"text": "..." or [...], "model"?, "beam"?, "nbest"?, "length_penalty"?,
                        "max_length_ratio"?, "alignment"?: "none|hard|soft", "replace_unknown"?,
                        "attention"?: "none|cross|all"}  ->  {"model", "translations": [...]}
                       (each translation has the fields of `heed translate --output jsonl`)
  POST /translate      LibreTranslate: {"q": "..." or [...], "source", "target"} -> {"translatedText"}
  GET  /languages      LibreTranslate: the models' language pairs

  curl -s localhost:8080/v1/translate -d '{"text": ["ein hund läuft"], "beam": 5}'
  curl -s localhost:8080/translate -d q='ein hund läuft' -d source=de -d target=en)");
  cmd->add_option("--model", o->models, "a model directory to serve, DIR or NAME=DIR (repeat for several; "
                                        "LibreTranslate clients pick NAME = source-target, e.g. de-en=runs/m30k)")
      ->required();
  cmd->add_option("--example", o->examples, "a sentence the attention explorer (GET /) opens with (repeatable; "
                                          "the model's validation examples follow)");
  cmd->add_option("--host", o->http.host, "address to listen on (localhost unless told otherwise)")->capture_default_str();
  cmd->add_option("--port", o->http.port, "port to listen on (0: any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  o->batching.workers = 0;
  cmd->add_option("--workers", o->batching.workers,
                  "decoding workers, each translating a batch of its own (0 = one per core)")
      ->capture_default_str()->check(CLI::Range(int64_t{0}, int64_t{256}));
  cmd->add_option("--max-batch", o->batching.max_batch_sentences, "sentences translated together, from all clients")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{4096}));
  cmd->add_option("--max-wait-ms", o->batching.max_wait_ms, "how long a request waits for others to share its batch")
      ->capture_default_str()->check(CLI::Range(0.0, 10000.0));
  cmd->add_option("--max-queue", o->batching.max_queue_sentences, "sentences waiting per model; more get 503")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  cmd->add_option("--max-sentences", o->api.max_sentences, "sentences per request; more get 413")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--max-sentence-bytes", o->api.max_sentence_bytes, "bytes per sentence; longer get 413")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  cmd->add_option("--max-body-bytes", o->http.max_body_bytes, "bytes per request body; larger get 413")
      ->capture_default_str()->check(CLI::Range(size_t{1}, size_t{1} << 30));
  cmd->add_option("--max-connections", o->http.handler_threads, "requests handled at once (one thread each)")
      ->capture_default_str()->check(CLI::Range(size_t{1}, size_t{4096}));
  add_runtime_options(cmd, o->runtime);
  cmd->get_option("--threads")->description(
      "threads each worker's large matrix products split over while cores are idle; the rest of a step "
      "runs on the worker's (0 = 2, or 1 on a one-core machine)");
  add_precision_option(cmd, o->precision);
  cmd->callback([o] { run_serve(*o); });
}

}  // namespace heed
