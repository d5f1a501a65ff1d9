// ZooKeeper.States names and ConnectStringParser (host list + chroot).
#include <cstdlib>

#include "client/zk_client.h"

namespace zkops::client {

using zk::Status;

const char* StateName(State s) {
  switch (s) {
    case State::kConnecting:
      return "CONNECTING";
    case State::kConnected:
      return "CONNECTED";
    case State::kClosed:
      return "CLOSED";
    case State::kAuthFailed:
      return "AUTH_FAILED";
  }
  return "UNKNOWN";
}

Status ParseConnectString(const std::string& text, ConnectString* out) {
  *out = {};
  std::string hosts = text;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    out->chroot = text.substr(slash);
    hosts = text.substr(0, slash);
    if (out->chroot == "/") out->chroot.clear();
    if (out->chroot.size() > 1 && out->chroot.back() == '/') {
      return Status::InvalidArgument("Path must not end with / character");
    }
  }
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    std::string h =
        hosts.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? hosts.size() + 1 : comma + 1;
    if (h.empty()) continue;
    std::string name = h;
    int port = 2181;
    size_t colon = std::string::npos;
    if (h[0] == '[') {  // [v6]:port
      size_t close = h.find(']');
      if (close == std::string::npos) return Status::InvalidArgument("bad address " + h);
      name = h.substr(1, close - 1);
      if (close + 1 < h.size() && h[close + 1] == ':') colon = close + 1;
    } else {
      colon = h.rfind(':');
      if (colon != std::string::npos) name = h.substr(0, colon);
    }
    if (colon != std::string::npos) {
      std::string p = h.substr(colon + 1);
      char* end = nullptr;
      long v = std::strtol(p.c_str(), &end, 10);
      if (p.empty() || *end != '\0' || v <= 0 || v > 65535) {
        return Status::InvalidArgument("bad port in " + h);
      }
      port = static_cast<int>(v);
    }
    out->hosts.emplace_back(name, port);
  }
  if (out->hosts.empty()) return Status::InvalidArgument("no host in '" + text + "'");
  return Status::OK();
}

}  // namespace zkops::client
