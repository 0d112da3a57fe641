// heed serve's HTTP side: the routes of translation_api.h on cpp-httplib, an access log,
// limits on what a client may send, and a clean stop.
//
// Every request is handled on a thread of its own pool (blocking on its translation,
// which the model's batching queue runs with the others), so the pool bounds the
// requests in flight; the batching queue bounds the sentences waiting (503 beyond).
// A client that disconnects only loses its own answer.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "serve/translation_api.h"

namespace heed {

struct HttpOptions {
  std::string host = "127.0.0.1";  // localhost unless told otherwise
  int port = 8080;                 // 0: a free port (bind() returns it)
  size_t max_body_bytes = 1 << 20;
  size_t handler_threads = 128;  // requests in flight
  double read_timeout_s = 30.0;  // a client that sends nothing for this long is dropped
};

class HttpServer {
 public:
  HttpServer(const TranslationApi& api, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the port; returns it. heed::Error when it is taken or the host is unknown.
  int bind();
  // Serves until stop(); requests in flight are answered before it returns.
  void run();
  // From any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace heed
