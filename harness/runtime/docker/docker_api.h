#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace chancho {

// One request to the Docker Engine API over its Unix socket, for the calls
// whose latency matters (a kill is one round trip instead of a docker CLI
// process). HTTP/1.1 with "Connection: close"; no body is sent.
struct EngineReply {
  int status = 0;    // HTTP status: 204 done, 304 nothing to do, 404, 409...
  std::string body;  // the error message on failure, as JSON
};

// nullopt when the socket cannot be reached or answers something that is
// not HTTP within `timeout` (then the caller uses the CLI instead).
std::optional<EngineReply> EngineRequest(const std::filesystem::path& socket,
                                         std::string_view method,
                                         std::string_view target,
                                         std::chrono::milliseconds timeout);

// The status and body of a raw HTTP/1.1 response; nullopt when `response`
// is not one. Handles Content-Length and chunked bodies.
std::optional<EngineReply> ParseHttpResponse(std::string_view response);

// The "message" of a JSON error body, or the body itself.
std::string EngineMessage(const EngineReply& reply);

// The Engine's socket: the path of a unix:// DOCKER_HOST, else
// /var/run/docker.sock; empty when DOCKER_HOST names another transport.
std::filesystem::path EngineSocket();

}  // namespace chancho
