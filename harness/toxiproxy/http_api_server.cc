#include "harness/toxiproxy/http_api_server.h"

#include <pthread.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <set>
#include <thread>

#include "common/error.h"

namespace chancho {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxBody = 1 << 20;
constexpr std::size_t kMaxConnections = 64;
constexpr auto kIdle = std::chrono::seconds(30);

class Session;

struct Shared {
  HttpApiServer::Handler handler;
  std::set<std::shared_ptr<Session>> sessions;  // the io thread's
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared)
      : stream_(std::move(socket)), shared_(shared) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBody);
    stream_.expires_after(kIdle);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec,
                                                 std::size_t) {
                       self->OnRead(ec);
                     });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::eof ||
        ec == asio::error::connection_reset) {
      return End();
    }
    if (ec) {
      ApiResponse bad{400, "application/json",
                      "{\"error\":\"bad request: " + ec.message() +
                          "\",\"status\":400}"};
      return Write(bad, /*keep_alive=*/false);
    }
    const auto& request = parser_->get();
    ApiRequest api;
    api.method = std::string(request.method_string());
    api.target = std::string(request.target());
    api.body = request.body();
    ApiResponse response;
    try {
      response = shared_.handler(api);
    } catch (const std::exception&) {
      response = {500, "application/json",
                  std::string("{\"error\":\"internal error\",\"status\":500}")};
    }
    Write(response, request.keep_alive());
  }

  void Write(const ApiResponse& api, bool keep_alive) {
    auto response = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(api.status), 11);
    response->set(http::field::server, "chancho");
    if (api.status != 204) {
      response->set(http::field::content_type, api.content_type);
      response->body() = api.body;
    }
    response->keep_alive(keep_alive);
    response->prepare_payload();
    http::async_write(
        stream_, *response,
        [self = shared_from_this(), response, keep_alive](beast::error_code ec,
                                                          std::size_t) {
          if (ec || !keep_alive) return self->End();
          self->Read();
        });
  }

  void End() {
    Close();
    shared_.sessions.erase(shared_from_this());
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Shared& shared_;
};

}  // namespace

class HttpApiServer::Impl {
 public:
  Impl(const std::string& ip, std::uint16_t port, Handler handler)
      : work_(io_.get_executor()), acceptor_(io_) {
    shared_.handler = std::move(handler);
    beast::error_code ec;
    const auto address = asio::ip::make_address_v4(ip, ec);
    const std::string where = ip + ":" + std::to_string(port);
    if (ec) throw Error("api: " + where + " is no IPv4 address");
    acceptor_.open(tcp::v4(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(tcp::endpoint(address, port), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw Error("api: cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "http-api");
      io_.run();
    });
  }

  ~Impl() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      for (const auto& session : shared_.sessions) session->Close();
      work_.reset();
    });
    thread_.join();
  }

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;
      if (!ec) {
        if (shared_.sessions.size() >= kMaxConnections) {
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          auto session = std::make_shared<Session>(std::move(socket), shared_);
          shared_.sessions.insert(session);
          session->Read();
        }
      }
      Accept();
    });
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  Shared shared_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

HttpApiServer::HttpApiServer(const std::string& ip, std::uint16_t port,
                             Handler handler)
    : impl_(std::make_unique<Impl>(ip, port, std::move(handler))) {}

HttpApiServer::~HttpApiServer() = default;

std::uint16_t HttpApiServer::port() const { return impl_->port_; }

}  // namespace chancho
