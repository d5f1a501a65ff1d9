// server.X=host:quorumPort:electionPort[:participant|observer][;[clientAddress:]clientPort]
// The 3.4 form is the first three fields; 3.5 added the role and the client part
// (zookeeperReconfig.md "Specifying the client port").
#include "config/server_line.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include "config/config_values.h"

namespace zk::config::internal {
namespace {

constexpr char kServerForm[] =
    "does not have the form host:quorumPort:electionPort[:participant|observer]"
    "[;[clientAddress:]clientPort]";

// ConfigUtils.getHostAndPort: "[v6]:a:b" -> {"v6", "a", "b"}, else split on ':'.
bool HostAndPorts(const std::string& s, std::vector<std::string>* parts, std::string* why) {
  parts->clear();
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string::npos) {
      *why = "'" + s + "' starts with '[' but has no matching ']'";
      return false;
    }
    parts->push_back(s.substr(1, close - 1));
    if (close + 1 == s.size()) return true;
    if (s[close + 1] != ':' || close + 2 == s.size()) {
      *why = "'" + s + "' needs ':port' after ']'";
      return false;
    }
    std::vector<std::string> rest = JavaSplit(s.substr(close + 2), ':');
    parts->insert(parts->end(), rest.begin(), rest.end());
    return true;
  }
  *parts = JavaSplit(s, ':');
  return true;
}

bool ParsePort(const std::string& s, int min, uint16_t* port) {
  int64_t v = 0;
  if (!ParseDecimal(s, &v) || v < min || v > 65535) return false;
  *port = static_cast<uint16_t>(v);
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool ParseServerId(const std::string& key, uint64_t* id) {
  const std::string digits = key.substr(std::string("server.").size());
  if (digits.empty() || digits.size() > 19) return false;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *id = std::stoull(digits);
  return true;
}

Status ParseServerLine(const std::string& file, const Property& p, ServerLine* out) {
  ServerLine s;
  s.line = p.line;
  if (!ParseServerId(p.key, &s.id)) {
    return KeyError(file, p,
                    "server id '" + p.key.substr(7) +
                        "' is not a number (want server.<id>, "
                        "the id this server's dataDir/myid holds)");
  }
  const std::vector<std::string> server_client = JavaSplit(p.value, ';');
  if (server_client.empty() || server_client.size() > 2) return ValueError(file, p, kServerForm);
  if (server_client[0].find('|') != std::string::npos) {
    return ValueError(file, p,
                      "lists several addresses ('|'): ZooKeeper's multiAddress feature is not "
                      "implemented by zknode");
  }
  std::vector<std::string> parts;
  std::string why;
  if (!HostAndPorts(server_client[0], &parts, &why)) {
    return ValueError(file, p, std::string(kServerForm) + ": " + why);
  }
  if (parts.size() < 3 || parts.size() > 4) return ValueError(file, p, kServerForm);
  s.host = parts[0];
  if (s.host.empty()) return ValueError(file, p, std::string(kServerForm) + ": the host is empty");
  if (!ParsePort(parts[1], 1, &s.quorum_port)) {
    return ValueError(file, p, "has quorum port '" + parts[1] + "', not a port (1..65535)");
  }
  if (!ParsePort(parts[2], 1, &s.election_port)) {
    return ValueError(file, p, "has election port '" + parts[2] + "', not a port (1..65535)");
  }
  if (s.quorum_port == s.election_port) {
    return ValueError(file, p,
                      "uses port " + std::to_string(s.quorum_port) +
                          " for both quorum and election; they must differ");
  }
  if (parts.size() == 4) {
    const std::string role = Lower(JavaTrim(parts[3]));
    if (role == "observer") {
      s.observer = true;
    } else if (role != "participant") {
      return ValueError(file, p,
                        "has role '" + parts[3] + "'; the role is 'participant' or 'observer'");
    }
  }
  if (server_client.size() == 2) {
    std::vector<std::string> client;
    if (!HostAndPorts(server_client[1], &client, &why)) {
      return ValueError(file, p, std::string(kServerForm) + ": " + why);
    }
    if (client.size() > 2) return ValueError(file, p, kServerForm);
    if (client.size() == 2) {
      s.client_address = client[0];
      if (s.client_address.empty()) {
        return ValueError(file, p, std::string(kServerForm) + ": the client address is empty");
      }
    }
    if (!ParsePort(client.back(), 1, &s.client_port)) {
      return ValueError(file, p, "has client port '" + client.back() + "', not a port (1..65535)");
    }
  }
  *out = std::move(s);
  return Status::OK();
}

Status CheckServerLines(const ZooConfig& cfg, std::vector<std::string>* warnings) {
  // Two lines that claim the same host:port cannot both bind it. ZooKeeper only finds out
  // when a peer fails to start; say so before anything starts.
  struct Use {
    uint64_t id;
    int line;
    const char* what;
  };
  std::map<std::pair<std::string, uint16_t>, Use> used;
  for (const ServerLine& s : cfg.servers) {
    const std::pair<const char*, uint16_t> ports[] = {
        {"quorum", s.quorum_port}, {"election", s.election_port}, {"client", s.client_port}};
    for (const auto& [what, port] : ports) {
      if (port == 0) continue;
      const std::string& host =
          std::string(what) == "client" && !s.client_address.empty() ? s.client_address : s.host;
      auto [it, inserted] = used.emplace(std::make_pair(host, port), Use{s.id, s.line, what});
      if (!inserted && it->second.id != s.id) {
        return Status::InvalidArgument(Where(cfg.file, s.line) + ": key 'server." +
                                       std::to_string(s.id) + "': " + what + " port " + host + ":" +
                                       std::to_string(port) + " is already the " + it->second.what +
                                       " port of server." + std::to_string(it->second.id) +
                                       " (line " + std::to_string(it->second.line) + ")");
      }
    }
  }

  // QuorumPeerConfig.parseDynamicConfig.
  const int participants = cfg.participants();
  const int observers = static_cast<int>(cfg.servers.size()) - participants;
  const std::string file = cfg.file.empty() ? "zoo.cfg" : cfg.file;
  if (participants == 0) {
    if (!cfg.standalone_enabled) {
      return Status::InvalidArgument(
          file + ": standaloneEnabled=false needs at least one participant server.X line");
    }
    if (observers > 0) {
      return Status::InvalidArgument(
          file +
          ": observers without participants is an invalid configuration (every "
          "server.X line is an observer)");
    }
  } else if (participants == 1 && cfg.standalone_enabled) {
    if (observers > 0) {
      return Status::InvalidArgument(
          file +
          ": observers without a quorum is an invalid configuration (one participant "
          "and standaloneEnabled=true)");
    }
    warnings->push_back(file + ": only one server specified (server." +
                        std::to_string(cfg.servers[0].id) +
                        "); running standalone, as ZooKeeper does with standaloneEnabled=true");
  } else if (participants <= 2) {
    warnings->push_back(file + ": no server failure will be tolerated with " +
                        std::to_string(participants) +
                        " participant(s); you need at least 3 servers");
  } else if (participants % 2 == 0) {
    warnings->push_back(file + ": non-optimal configuration with " + std::to_string(participants) +
                        " participants; consider an odd number of servers");
  }
  return Status::OK();
}

}  // namespace zk::config::internal
