#include "serve/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <httplib.h>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include "serve/explorer_page.h"
#include "util/error.h"

namespace heed {

namespace {

void reply(httplib::Response& response, const ApiResponse& api) {
  response.status = api.status;
  response.set_content(api.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

// LibreTranslate's parameters: a JSON body, or form fields (urlencoded or multipart).
nlohmann::json libretranslate_parameters(const httplib::Request& request) {
  if (request.get_header_value("Content-Type").find("application/json") != std::string::npos) {
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) throw Error("the body is not a JSON object");
    return body;
  }
  nlohmann::json parameters = nlohmann::json::object();
  for (const auto& [key, value] : request.params) parameters[key] = value;
  for (const auto& [key, file] : request.files) parameters[key] = file.content;
  return parameters;
}

}  // namespace

struct HttpServer::Impl {
  Impl(const TranslationApi& api, HttpOptions options) : api(api), options(std::move(options)) {}
  const TranslationApi& api;
  HttpOptions options;
  httplib::Server server;
  int port = 0;
  socket_t listening_socket = -1;
};

HttpServer::HttpServer(const TranslationApi& api, HttpOptions options)
    : impl_(std::make_unique<Impl>(api, std::move(options))) {
  httplib::Server& server = impl_->server;
  const TranslationApi* served = &api;
  const size_t threads = impl_->options.handler_threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // SO_REUSEADDR (a restart binds at once) but not httplib's default SO_REUSEPORT, which
  // lets a second server share the port silently: a port in use must be an error.
  Impl* impl = impl_.get();
  // TCP_NODELAY (accepted connections inherit it): an answer goes out as httplib writes it,
  // headers then body, instead of its second write waiting for the client's delayed ACK
  // (about 40 ms a request, which made one keep-alive client's p50 latency 52 ms).
  server.set_tcp_nodelay(true);
  server.set_socket_options([impl](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    impl->listening_socket = sock;
  });
  server.set_payload_max_length(impl_->options.max_body_bytes);
  server.set_read_timeout(static_cast<time_t>(impl_->options.read_timeout_s), 0);
  server.set_write_timeout(static_cast<time_t>(impl_->options.read_timeout_s), 0);

  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(explorer_page_html(), "text/html; charset=utf-8");
  });
  server.Get("/health", [served](const httplib::Request&, httplib::Response& res) { reply(res, served->health()); });
  server.Get("/v1/models", [served](const httplib::Request&, httplib::Response& res) { reply(res, served->models()); });
  server.Post("/v1/translate", [served](const httplib::Request& req, httplib::Response& res) {
    reply(res, served->translate(req.body));
  });
  server.Post("/translate", [served](const httplib::Request& req, httplib::Response& res) {
    try {
      reply(res, served->libretranslate(libretranslate_parameters(req)));
    } catch (const Error& e) {
      reply(res, api_error(400, e.what()));
    }
  });
  server.Get("/languages", [served](const httplib::Request&, httplib::Response& res) { reply(res, served->languages()); });

  // Errors httplib raises itself (no such route, a body over the limit) as JSON too.
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                  httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string message = res.status == 404   ? "no such endpoint: " + req.method + " " + req.path
                                : res.status == 413 ? "the request body is over the server's limit"
                                                    : "the request could not be handled";
    reply(res, api_error(res.status, message));
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = std::string("internal error: ") + e.what();
    } catch (...) {
    }
    spdlog::error("{}", what);
    reply(res, api_error(500, what));
  });
  // The access log: client, request line, status, response bytes.
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("{} \"{} {} {}\" {} {}", req.remote_addr, req.method, req.path, req.version, res.status, res.body.size());
  });
}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
  const auto& o = impl_->options;
  if (o.port == 0) {
    impl_->port = impl_->server.bind_to_any_port(o.host);
  } else {
    impl_->port = impl_->server.bind_to_port(o.host, o.port) ? o.port : -1;
  }
  if (impl_->port < 0) {
    throw Error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                " (the port is taken, or the host is not an address of this machine)");
  }
  // httplib listens with a backlog of 5: a burst of clients overflows it, and some of
  // them lose their connection. listen() again sets a backlog that a burst fits in.
  if (impl_->listening_socket >= 0) ::listen(impl_->listening_socket, 1024);
  return impl_->port;
}

void HttpServer::run() { impl_->server.listen_after_bind(); }

void HttpServer::stop() { impl_->server.stop(); }

}  // namespace heed
