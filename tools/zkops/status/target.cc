#include "status/target.h"

#include <charconv>
#include <set>

namespace zkops::status {
namespace {

bool ParsePort(std::string_view text, uint16_t* port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return false;
  }
  *port = static_cast<uint16_t>(value);
  return true;
}

bool ParseOne(std::string_view entry, Target* t, std::string* error) {
  std::string_view rest;
  if (!entry.empty() && entry.front() == '[') {
    size_t close = entry.find(']');
    if (close == std::string_view::npos || close == 1) {
      *error = "bad IPv6 address in '" + std::string(entry) + "'";
      return false;
    }
    t->host = std::string(entry.substr(1, close - 1));
    rest = entry.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      *error = "expected ':' after ']' in '" + std::string(entry) + "'";
      return false;
    }
    if (!rest.empty()) rest.remove_prefix(1);
  } else {
    size_t colon = entry.find(':');
    t->host = std::string(entry.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : entry.substr(colon + 1);
  }
  if (t->host.empty()) {
    *error = "no host in '" + std::string(entry) + "'";
    return false;
  }
  if (rest.empty()) return true;  // host alone: ZooKeeper's default client port
  size_t colon = rest.find(':');
  std::string_view client = rest.substr(0, colon);
  if (!ParsePort(client, &t->client_port)) {
    *error = "bad client port '" + std::string(client) + "' in '" + std::string(entry) + "'";
    return false;
  }
  if (colon == std::string_view::npos) return true;
  std::string_view admin = rest.substr(colon + 1);
  uint16_t admin_port = 0;
  if (!ParsePort(admin, &admin_port)) {
    *error = "bad admin port '" + std::string(admin) + "' in '" + std::string(entry) + "'";
    return false;
  }
  t->admin_port = admin_port;
  return true;
}

}  // namespace

std::string Target::Address() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(client_port);
}

bool ParseServerList(std::string_view text, std::vector<Target>* out, std::string* error) {
  std::vector<Target> targets;
  std::set<std::string> seen;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view entry =
        text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) {
      *error = "empty server entry in '" + std::string(text) + "'";
      return false;
    }
    Target t;
    if (!ParseOne(entry, &t, error)) return false;
    if (!seen.insert(t.Address()).second) {
      *error = t.Address() + " is listed twice";
      return false;
    }
    targets.push_back(std::move(t));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  *out = std::move(targets);
  return true;
}

}  // namespace zkops::status
