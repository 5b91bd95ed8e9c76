// A stand-in echo server for probe tests. It listens on
// $CHANCHO_BIND_IP:--port and answers each line either with the same line
// (--mode echo) or with "error reading data: " + the line (--mode error),
// the answer a broken server of the course template gives.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  std::string mode = "echo";
  int port = 12345;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--mode") == 0) mode = argv[i + 1];
    if (std::strcmp(argv[i], "--port") == 0) port = std::atoi(argv[i + 1]);
  }
  if (mode != "echo" && mode != "error") {
    std::cout << "action: config | result: fail | error: unknown mode " << mode
              << std::endl;
    return 1;
  }
  const char* ip = std::getenv("CHANCHO_BIND_IP");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip != nullptr ? ip : "127.0.0.1", &address.sin_addr);
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listener, 16) != 0) {
    std::cout << "action: listen | result: fail | error: " << std::strerror(errno)
              << std::endl;
    return 1;
  }
  std::cout << "action: accept_connections | result: in_progress | mode: " << mode
            << std::endl;
  ::signal(SIGPIPE, SIG_IGN);
  for (;;) {
    const int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    std::string line;
    char c;
    while (::recv(client, &c, 1, 0) == 1 && c != '\n') line += c;
    const std::string answer =
        (mode == "echo" ? "" : "error reading data: ") + line + "\n";
    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(client);
  }
}
