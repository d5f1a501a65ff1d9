// `zkops server transfer`: asks a running zknode, over the control socket in its dataDir
// (core/src/server/control_socket.h), to hand leadership to another server.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "server/control.h"

namespace zkops::server {

namespace {

constexpr const char* kControlSocketName = "zknode.sock";

// One request line, one reply line. False with *error set if the exchange failed.
bool Exchange(const std::string& path, const std::string& request, double timeout_s,
              std::string* reply, std::string* error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    *error = "socket path too long: " + path;
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  if (!ok) *error = "cannot connect to " + path + ": " + std::strerror(errno);
  const std::string line = request + "\n";
  if (ok &&
      ::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    *error = std::string("cannot send the request: ") + std::strerror(errno);
    ok = false;
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  while (ok && reply->find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      *error = "no answer within " + FormatSeconds(timeout_s);
      ok = false;
      break;
    }
    char buf[512];
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    reply->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (ok && reply->empty()) {
    *error = "the server closed the connection without an answer";
    ok = false;
  }
  if (auto nl = reply->find('\n'); nl != std::string::npos) reply->resize(nl);
  return ok;
}

}  // namespace

int ServerControl::Transfer(const std::string& to) {
  if (int rc = Load(/*lenient=*/true); rc != 0) return rc;
  if (!distributed_) {
    err_ << "A standalone server has no one to hand leadership to.\n";
    return kExitTransferFailed;
  }
  pid_t pid = 0;
  std::string why;
  if (CheckPidFile(&pid, &why, /*remove_stale=*/false) != Running::kYes) {
    out_ << "Error contacting service. It is probably not running.\n";
    return kExitNotRunning;
  }
  const std::string path = data_dir_ + "/" + kControlSocketName;
  std::string reply, error;
  // The server answers once the target leads, or after its election timeout.
  if (!Exchange(path, "transfer " + to, options_.timeout_s.value_or(kDefaultStopTimeoutS), &reply,
                &error)) {
    err_ << "zknode (pid " << pid << "): " << error << "\n";
    return kExitTransferFailed;
  }
  if (reply.rfind("OK ", 0) == 0) {
    out_ << "Leadership: " << reply.substr(3) << "\n";
    return kExitOk;
  }
  err_ << (reply.rfind("ERROR ", 0) == 0 ? reply.substr(6) : reply) << "\n";
  return kExitTransferFailed;
}

}  // namespace zkops::server
