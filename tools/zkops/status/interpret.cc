#include "status/interpret.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <cstdlib>

namespace zkops::status {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    pos = end + 1;
  }
}

std::optional<int64_t> ParseInt(std::string_view text) {
  std::string t = Trim(text);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view text) {
  std::string t = Trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}

std::string Hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "3.8.0-abc, built on 2024-12-29 17:54 UTC" -> "3.8.0-abc" (Version.getFullVersion).
std::string ShortVersion(const std::string& full) {
  size_t comma = full.find(", built on");
  return Trim(full.substr(0, comma));
}

std::optional<Latency> ParseLatency(const std::string& text) {
  // "min/avg/max" (ServerStats.toString).
  size_t a = text.find('/');
  size_t b = a == std::string::npos ? a : text.find('/', a + 1);
  if (b == std::string::npos) return std::nullopt;
  auto mn = ParseDouble(text.substr(0, a));
  auto avg = ParseDouble(text.substr(a + 1, b - a - 1));
  auto mx = ParseDouble(text.substr(b + 1));
  if (!mn || !avg || !mx) return std::nullopt;
  return Latency{*mn, *avg, *mx, text};
}

std::string VarText(const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return "";
  try {
    return v.convert<std::string>();
  } catch (const Poco::Exception&) {
    return "";
  }
}

// Parses an AdminServer JSON object; checks its "error" member (CommandResponse).
Poco::JSON::Object::Ptr ParseAdminObject(std::string_view json, std::string* error) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(std::string(json));
    Poco::JSON::Object::Ptr obj = v.extract<Poco::JSON::Object::Ptr>();
    if (obj.isNull()) {
      *error = "not a JSON object";
      return nullptr;
    }
    Poco::Dynamic::Var err = obj->get("error");
    if (!err.isEmpty()) {
      *error = VarText(err);
      return nullptr;
    }
    return obj;
  } catch (const Poco::Exception& e) {
    *error = "bad JSON: " + e.displayText();
  } catch (const std::exception& e) {
    *error = std::string("bad JSON: ") + e.what();
  }
  return nullptr;
}

State StateFromMode(const std::string& mode) {
  if (mode == "leader") return State::kLeader;
  if (mode == "follower") return State::kFollower;
  if (mode == "observer") return State::kObserver;
  if (mode == "standalone") return State::kStandalone;
  if (mode == "read-only") return State::kReadOnly;
  return State::kUnrecognised;
}

// Outcome of a 4lw other than srvr, for ServerReport::sources.
std::string WordOutcome(const net::FourLetterReply& reply) {
  switch (reply.error) {
    case net::ProbeError::kRefused: return "refused";
    case net::ProbeError::kUnreachable: return "error: " + reply.error_text;
    case net::ProbeError::kTimeout:
      if (reply.text.empty()) return "no-answer";
      break;
    case net::ProbeError::kNone: break;
  }
  if (reply.text.find(net::kWhitelistText) != std::string::npos) return "whitelist-denied";
  if (reply.text.find(net::kNotServingText) != std::string::npos) return "not-serving";
  if (Trim(reply.text).empty()) return "no-answer";
  return "ok";
}

std::string HttpOutcome(const HttpReply& reply, const std::string& parse_error) {
  if (!reply.ok) return "error: " + reply.error;
  if (reply.status != 200) return "error: HTTP " + std::to_string(reply.status);
  if (!parse_error.empty()) return "error: " + parse_error;
  return "ok";
}

}  // namespace

std::map<std::string, std::string> ParseMntr(std::string_view text) {
  std::map<std::string, std::string> out;
  ForEachLine(text, [&out](std::string_view line) {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) return;
    out[Trim(line.substr(0, tab))] = Trim(line.substr(tab + 1));
  });
  return out;
}

ConfFacts ParseConf(std::string_view text) {
  ConfFacts facts;
  ForEachLine(text, [&facts](std::string_view line) {
    std::string l = Trim(line);
    if (l.rfind("membership:", 0) == 0) {
      facts.has_membership = true;
      return;
    }
    size_t eq = l.find('=');
    if (eq == std::string::npos || eq == 0) return;
    std::string key = l.substr(0, eq);
    std::string value = l.substr(eq + 1);
    facts.fields[key] = value;
    if (facts.has_membership && key.rfind("server.", 0) == 0) {
      // QuorumServer.toString: host:quorumPort:electionPort:participant|observer;client
      std::string addrs = value.substr(0, value.find(';'));
      if (addrs.size() >= 9 && addrs.compare(addrs.size() - 9, 9, ":observer") == 0) {
        ++facts.observers;
      } else {
        ++facts.voters;
      }
    }
  });
  auto id = facts.fields.find("serverId");
  if (id != facts.fields.end()) facts.server_id = ParseInt(id->second);
  return facts;
}

bool ParseAdminSrvr(std::string_view json, std::map<std::string, std::string>* fields,
                    std::string* error) {
  Poco::JSON::Object::Ptr obj = ParseAdminObject(json, error);
  if (obj.isNull()) return false;
  fields->clear();
  Poco::JSON::Object::Ptr stats = obj->getObject("server_stats");
  if (stats.isNull()) {
    // zknode: the srvr lines themselves, as string members.
    for (const auto& [key, value] : *obj) {
      if (key == "command" || key == "error") continue;
      if (value.isString()) (*fields)[key] = value.convert<std::string>();
    }
    return true;
  }
  // Apache ZooKeeper: Commands.SrvrCommand / ServerStats getters in snake_case.
  auto get = [&stats](const char* key) { return VarText(stats->get(key)); };
  (*fields)["Zookeeper version"] = VarText(obj->get("version"));
  std::string mode = get("server_state");
  if (obj->optValue<bool>("read_only", false)) mode = "read-only";
  (*fields)["Mode"] = mode;
  if (auto zxid = ParseInt(get("last_processed_zxid"))) {
    (*fields)["Zxid"] = Hex(static_cast<uint64_t>(*zxid));
  }
  (*fields)["Latency min/avg/max"] =
      get("min_latency") + "/" + get("avg_latency") + "/" + get("max_latency");
  (*fields)["Received"] = get("packets_received");
  (*fields)["Sent"] = get("packets_sent");
  (*fields)["Connections"] = get("num_alive_client_connections");
  (*fields)["Outstanding"] = get("outstanding_requests");
  (*fields)["Node count"] = VarText(obj->get("node_count"));
  return true;
}

bool ParseAdminMntr(std::string_view json, std::map<std::string, std::string>* fields,
                    std::string* error) {
  Poco::JSON::Object::Ptr obj = ParseAdminObject(json, error);
  if (obj.isNull()) return false;
  fields->clear();
  for (const auto& [key, value] : *obj) {
    if (key == "command" || key == "error") continue;
    if (value.type() == typeid(Poco::JSON::Object::Ptr) ||
        value.type() == typeid(Poco::JSON::Array::Ptr)) {
      continue;
    }
    (*fields)["zk_" + key] = VarText(value);
  }
  return true;
}

std::optional<uint64_t> ParseZxid(std::string_view text) {
  std::string t = Trim(text);
  if (t.size() < 3 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(t.data() + 2, t.data() + t.size(), v, 16);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return v;
}

ServerReport Interpret(const Target& target, size_t index, const RawProbe& raw) {
  ServerReport r;
  r.target = target;

  // State: srvr over the client port first (always whitelisted, operations.md §1.4).
  net::SrvrStatus srvr = net::ClassifySrvrReply(raw.srvr);
  r.sources["srvr"] = srvr.state == net::ServerState::kServing
                          ? "ok"
                          : net::ServerStateName(srvr.state);
  switch (srvr.state) {
    case net::ServerState::kServing:
      r.srvr_fields = srvr.fields;
      r.state = StateFromMode(srvr.mode);
      if (r.state == State::kUnrecognised) r.detail = "unknown Mode: " + srvr.mode;
      break;
    case net::ServerState::kNotServing:
      r.state = State::kNotServing;
      r.detail = "up, but not serving requests (no quorum, or still starting)";
      break;
    case net::ServerState::kWhitelistDenied:
      r.state = State::kFourLwDisabled;
      r.detail = "srvr is not in 4lw.commands.whitelist; give the AdminServer port "
                 "(host:port:adminport) to see more";
      break;
    case net::ServerState::kNoAnswer:
      r.state = State::kNoAnswer;
      r.detail = srvr.detail;
      break;
    case net::ServerState::kUnrecognised:
      r.state = State::kUnrecognised;
      r.detail = "not a ZooKeeper answer: " + srvr.detail;
      break;
    case net::ServerState::kRefused:
    case net::ServerState::kUnreachable:
      r.state = State::kDown;
      r.detail = srvr.detail;
      break;
  }

  // The AdminServer answers even when 4lw are disabled (it ignores the whitelist, §1.6).
  if (raw.admin_srvr) {
    std::map<std::string, std::string> fields;
    std::string error;
    bool parsed = raw.admin_srvr->ok && raw.admin_srvr->status == 200 &&
                  ParseAdminSrvr(raw.admin_srvr->body, &fields, &error);
    r.sources["admin"] = HttpOutcome(*raw.admin_srvr, error);
    if (parsed && !IsServing(r.state)) {
      State from_admin = StateFromMode(fields["Mode"]);
      if (from_admin != State::kUnrecognised) {
        r.notes.push_back(std::string("state from the AdminServer (srvr over the client port: ") +
                          StateName(r.state) + ")");
        r.state = from_admin;
        r.detail.clear();
        r.srvr_fields = std::move(fields);
      }
    } else if (!parsed && error.find(net::kNotServingText) != std::string::npos &&
               !IsServing(r.state) && r.state != State::kNotServing) {
      r.notes.push_back(std::string("AdminServer: not serving (client port: ") +
                        StateName(r.state) + ")");
      r.state = State::kNotServing;
      r.detail = "up, but not serving requests (no quorum, or still starting)";
    }
  }

  if (raw.mntr) {
    std::string outcome = WordOutcome(*raw.mntr);
    r.sources["mntr"] = outcome;
    if (outcome == "ok") {
      r.mntr_fields = ParseMntr(raw.mntr->text);
    } else if (outcome == "whitelist-denied") {
      r.notes.push_back("mntr is not in 4lw.commands.whitelist");
    }
  }
  if (raw.admin_mntr && r.mntr_fields.empty()) {
    std::map<std::string, std::string> fields;
    std::string error;
    bool parsed = raw.admin_mntr->ok && raw.admin_mntr->status == 200 &&
                  ParseAdminMntr(raw.admin_mntr->body, &fields, &error);
    r.sources["admin_mntr"] = HttpOutcome(*raw.admin_mntr, error);
    if (parsed) r.mntr_fields = std::move(fields);
  }
  if (raw.conf) {
    std::string outcome = WordOutcome(*raw.conf);
    r.sources["conf"] = outcome;
    if (outcome == "ok") {
      ConfFacts conf = ParseConf(raw.conf->text);
      r.conf_fields = std::move(conf.fields);
      r.server_id = conf.server_id;
      if (conf.has_membership) {
        r.conf_voters = conf.voters;
        r.conf_observers = conf.observers;
      }
    }
  }

  // Facts: srvr's fields, with mntr's as a fallback (AdminServer mntr, 4lw srvr disabled).
  auto srvr_field = [&r](const char* key) -> std::optional<std::string> {
    auto it = r.srvr_fields.find(key);
    if (it == r.srvr_fields.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  auto mntr_field = [&r](const char* key) -> std::optional<std::string> {
    auto it = r.mntr_fields.find(key);
    if (it == r.mntr_fields.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  if (auto z = srvr_field("Zxid")) r.zxid = ParseZxid(*z);
  auto int_fact = [&](const char* srvr_key, const char* mntr_key) -> std::optional<int64_t> {
    if (auto v = srvr_field(srvr_key)) return ParseInt(*v);
    if (auto v = mntr_field(mntr_key)) return ParseInt(*v);
    return std::nullopt;
  };
  r.connections = int_fact("Connections", "zk_num_alive_connections");
  r.outstanding = int_fact("Outstanding", "zk_outstanding_requests");
  r.znode_count = int_fact("Node count", "zk_znode_count");
  if (auto l = srvr_field("Latency min/avg/max")) {
    r.latency = ParseLatency(*l);
  } else if (auto mn = mntr_field("zk_min_latency")) {
    auto avg = mntr_field("zk_avg_latency");
    auto mx = mntr_field("zk_max_latency");
    if (avg && mx) r.latency = ParseLatency(*mn + "/" + *avg + "/" + *mx);
  }
  if (auto v = srvr_field("Zookeeper version")) {
    r.version = ShortVersion(*v);
  } else if (auto v = mntr_field("zk_version")) {
    r.version = ShortVersion(*v);
  }

  // zknode reports its plugins in mntr (zk_plugin_<kind>) and conf (plugin.<kind>).
  for (const auto& [key, value] : r.mntr_fields) {
    if (key.rfind("zk_plugin_", 0) == 0) r.plugins[key.substr(10)] = value;
  }
  for (const auto& [key, value] : r.conf_fields) {
    if (key.rfind("plugin.", 0) == 0 && key != "plugin.dir") {
      r.plugins.emplace(key.substr(7), value);
    }
  }

  if (!target.name.empty()) {
    r.name = target.name;
  } else if (r.server_id && r.conf_voters) {
    r.name = "server." + std::to_string(*r.server_id);
  } else if (target.expected_id) {
    r.name = "server." + std::to_string(*target.expected_id);
  } else {
    r.name = "#" + std::to_string(index + 1);
  }
  if (target.expected_id && r.server_id && *target.expected_id != *r.server_id) {
    r.notes.push_back("expected id " + std::to_string(*target.expected_id) + ", conf says " +
                      std::to_string(*r.server_id));
  }
  return r;
}

}  // namespace zkops::status
