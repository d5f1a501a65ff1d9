// ParseZooConfig: QuorumPeerConfig.parseProperties semantics over java.util.Properties text,
// with unknown keys made errors (ZooKeeper turns them into system properties nobody reads).
#include "config/zoo_cfg.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "config/config_keys.h"
#include "config/config_values.h"
#include "config/server_line.h"

namespace zk::config {

using internal::BoolValue;
using internal::IntValue;
using internal::KeyError;
using internal::ValueError;
using internal::Where;

namespace {

constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();

// Which keys the file set, where defaults depend on presence (QuorumPeerConfig uses -1 or
// 0 as "not set").
struct Seen {
  const Property* init_limit = nullptr;
  const Property* sync_limit = nullptr;
  const Property* min_session_timeout = nullptr;
  const Property* max_session_timeout = nullptr;
  const Property* client_port = nullptr;
  const Property* client_port_address = nullptr;
  const Property* data_log_dir = nullptr;
  const Property* plugin_election = nullptr;
  const Property* snap_retain_count = nullptr;
  const Property* snap_count = nullptr;
};

bool IsPluginKind(const std::string& s) {
  return s == "transport" || s == "storage" || s == "election";
}

bool IsPluginName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// `<kind>.<name>.<key>` with a known kind; the key part may itself contain dots.
bool IsPluginKey(const std::string& key) {
  const size_t dot1 = key.find('.');
  if (dot1 == std::string::npos || !IsPluginKind(key.substr(0, dot1))) return false;
  const size_t dot2 = key.find('.', dot1 + 1);
  return dot2 != std::string::npos && IsPluginName(key.substr(dot1 + 1, dot2 - dot1 - 1)) &&
         dot2 + 1 < key.size();
}

// A relative dataDir is resolved against the directory zknode starts in, which is rarely
// what was meant (VerifyingFileFactory warns the same way).
void WarnIfRelative(ZooConfig* cfg, const Property& p) {
  if (!p.value.empty() && p.value[0] != '/' && p.value.rfind("./", 0) != 0 &&
      p.value.rfind("../", 0) != 0) {
    cfg->warnings.push_back(Where(cfg->file, p.line) + ": key '" + p.key + "': '" + p.value +
                            "' is relative to the directory zknode starts in; prepend ./ to "
                            "show that is meant");
  }
}

Status SetFourLetterWords(ZooConfig* cfg, const Property& p) {
  // FourLetterCommands.java: comma-separated, trimmed, "*" anywhere enables all; srvr is
  // always enabled.
  cfg->four_letter_words = {"srvr"};
  const auto& known = KnownFourLetterWords();
  for (const std::string& raw : internal::JavaSplit(p.value, ',')) {
    const std::string word = internal::JavaTrim(raw);
    if (word.empty()) continue;
    if (word == "*") {
      cfg->four_letter_words.insert(known.begin(), known.end());
      return Status::OK();
    }
    if (std::find(known.begin(), known.end(), word) == known.end()) {
      std::string hint = internal::Closest(word, known);
      cfg->warnings.push_back(Where(cfg->file, p.line) + ": key '" + p.key + "': '" + word +
                              "' is not a four-letter word ZooKeeper knows; ignored" +
                              (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      continue;
    }
    cfg->four_letter_words.insert(word);
  }
  return Status::OK();
}

Status PluginName(const ZooConfig& cfg, const Property& p, std::string* out) {
  if (!IsPluginName(p.value)) {
    return ValueError(cfg.file, p, "is not a plugin name (letters, digits, '_' and '-')");
  }
  *out = p.value;
  return Status::OK();
}

Status NonEmpty(const ZooConfig& cfg, const Property& p, std::string* out) {
  if (p.value.empty()) return KeyError(cfg.file, p, "the value is empty");
  *out = p.value;
  return Status::OK();
}

template <typename T>
Status SetInt(const ZooConfig& cfg, const Property& p, int64_t min, int64_t max, bool decoded,
              T* field) {
  int64_t v = 0;
  Status s = IntValue(cfg.file, p, min, max, decoded, &v);
  if (s.ok()) *field = static_cast<T>(v);
  return s;
}

// One implemented key. False in *handled when the key is not one of ours.
Status ApplyKnownKey(const Property& p, ZooConfig* cfg, Seen* seen, bool* handled) {
  *handled = true;
  const std::string& k = p.key;
  const std::string& f = cfg->file;
  if (k == "tickTime") return SetInt(*cfg, p, 1, kIntMax, false, &cfg->tick_time);
  if (k == "initLimit") {
    seen->init_limit = &p;
    return SetInt(*cfg, p, 0, kIntMax, false, &cfg->init_limit);
  }
  if (k == "syncLimit") {
    seen->sync_limit = &p;
    return SetInt(*cfg, p, 0, kIntMax, false, &cfg->sync_limit);
  }
  if (k == "dataDir") {
    WarnIfRelative(cfg, p);
    return NonEmpty(*cfg, p, &cfg->data_dir);
  }
  if (k == "dataLogDir") {
    seen->data_log_dir = &p;
    WarnIfRelative(cfg, p);
    return NonEmpty(*cfg, p, &cfg->data_log_dir);
  }
  if (k == "clientPort") {
    seen->client_port = &p;
    return SetInt(*cfg, p, 0, 65535, false, &cfg->client_port);
  }
  if (k == "clientPortAddress") {
    seen->client_port_address = &p;
    return NonEmpty(*cfg, p, &cfg->client_port_address);
  }
  if (k == "maxClientCnxns") return SetInt(*cfg, p, 0, kIntMax, false, &cfg->max_client_cnxns);
  if (k == "minSessionTimeout" || k == "maxSessionTimeout") {
    // -1 is QuorumPeerConfig's "not set": the tickTime-based default applies.
    int64_t v = 0;
    Status s = IntValue(f, p, -1, kIntMax, false, &v);
    if (!s.ok()) return s;
    const bool is_min = k == "minSessionTimeout";
    (is_min ? seen->min_session_timeout : seen->max_session_timeout) = v == -1 ? nullptr : &p;
    (is_min ? cfg->min_session_timeout : cfg->max_session_timeout) = static_cast<int>(v);
    return s;
  }
  if (k == "jute.maxbuffer") return SetInt(*cfg, p, 1, kIntMax, true, &cfg->jute_max_buffer);
  if (k == "4lw.commands.whitelist") return SetFourLetterWords(cfg, p);
  if (k == "snapCount") {
    seen->snap_count = &p;
    return SetInt(*cfg, p, std::numeric_limits<int32_t>::min(), kIntMax, true, &cfg->snap_count);
  }
  if (k == "autopurge.snapRetainCount") {
    seen->snap_retain_count = &p;
    return SetInt(*cfg, p, std::numeric_limits<int32_t>::min(), kIntMax, false,
                  &cfg->autopurge_snap_retain_count);
  }
  if (k == "autopurge.purgeInterval") {
    return SetInt(*cfg, p, std::numeric_limits<int32_t>::min(), kIntMax, false,
                  &cfg->autopurge_purge_interval);
  }
  if (k == "admin.enableServer") return BoolValue(f, p, &cfg->admin_enable_server);
  if (k == "admin.serverAddress") return NonEmpty(*cfg, p, &cfg->admin_server_address);
  if (k == "admin.serverPort") return SetInt(*cfg, p, 0, 65535, true, &cfg->admin_server_port);
  if (k == "admin.commandURL") return NonEmpty(*cfg, p, &cfg->admin_command_url);
  if (k == "admin.idleTimeout") {
    return SetInt(*cfg, p, 0, kIntMax, true, &cfg->admin_idle_timeout);
  }
  if (k == "extendedTypesEnabled" || k == "zookeeper.extendedTypesEnabled") {
    return BoolValue(f, p, &cfg->extended_types_enabled);
  }
  if (k == "DigestAuthenticationProvider.superDigest" ||
      k == "zookeeper.DigestAuthenticationProvider.superDigest") {
    return NonEmpty(*cfg, p, &cfg->super_digest);
  }
  if (k == "znode.container.checkIntervalMs") {
    return SetInt(*cfg, p, 1, kIntMax, false, &cfg->container_check_interval_ms);
  }
  if (k == "standaloneEnabled") return BoolValue(f, p, &cfg->standalone_enabled);
  if (k == "plugin.dir") return NonEmpty(*cfg, p, &cfg->plugin_dir);
  if (k == "plugin.transport") return PluginName(*cfg, p, &cfg->plugin_transport);
  if (k == "plugin.storage") return PluginName(*cfg, p, &cfg->plugin_storage);
  if (k == "plugin.election") {
    seen->plugin_election = &p;
    return PluginName(*cfg, p, &cfg->plugin_election);
  }
  *handled = false;
  return Status::OK();
}

Status ApplyKey(const Property& p, ZooConfig* cfg, Seen* seen) {
  const std::string& f = cfg->file;
  if (p.key.rfind("server.", 0) == 0) {
    ServerLine line;
    Status s = internal::ParseServerLine(f, p, &line);
    if (s.ok()) cfg->servers.push_back(std::move(line));
    return s;
  }
  bool handled = false;
  Status s = ApplyKnownKey(p, cfg, seen, &handled);
  if (handled) return s;
  if (IsPluginKey(p.key)) {
    cfg->plugin_keys[p.key] = p;
    return Status::OK();
  }
  std::string why;
  if (internal::IsRefusedZooKeeperKey(p.key, &why)) return KeyError(f, p, why);
  if (internal::IsUnimplementedZooKeeperKey(p.key)) {
    cfg->warnings.push_back(Where(f, p.line) + ": key '" + p.key +
                            "' is a ZooKeeper setting zknode does not implement; ignored");
    return Status::OK();
  }
  std::string message = Where(f, p.line) + ": unknown key '" + p.key + "'";
  const std::string suggestion = internal::SuggestKey(p.key);
  if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
  if (p.key.rfind("plugin.", 0) == 0 || IsPluginKind(p.key.substr(0, p.key.find('.')))) {
    message +=
        " (plugin keys are plugin.dir, plugin.transport, plugin.storage, "
        "plugin.election and <kind>.<name>.<key>)";
  }
  return Status::InvalidArgument(message);
}

// Cross-key rules and defaults that depend on other keys (QuorumPeerConfig.parseProperties,
// parseDynamicConfig, checkValidity).
Status Resolve(const Seen& seen, ZooConfig* cfg) {
  const std::string& f = cfg->file;
  const std::string file = f.empty() ? "zoo.cfg" : f;
  if (seen.snap_retain_count != nullptr && cfg->autopurge_snap_retain_count < 3) {
    cfg->warnings.push_back(
        Where(f, seen.snap_retain_count->line) +
        ": key 'autopurge.snapRetainCount': " + std::to_string(cfg->autopurge_snap_retain_count) +
        " is below the minimum; using 3, as ZooKeeper does");
    cfg->autopurge_snap_retain_count = 3;
  }
  if (seen.snap_count != nullptr && cfg->snap_count < 2) {
    cfg->warnings.push_back(Where(f, seen.snap_count->line) +
                            ": key 'snapCount': " + std::to_string(cfg->snap_count) +
                            " is below the minimum; using 2, as ZooKeeper does");
    cfg->snap_count = 2;
  }
  if (seen.data_log_dir == nullptr) cfg->data_log_dir = cfg->data_dir;
  if (seen.client_port_address != nullptr && cfg->client_port == 0) {
    return KeyError(f, *seen.client_port_address, "clientPortAddress is set but clientPort is not");
  }

  if (seen.min_session_timeout == nullptr) cfg->min_session_timeout = cfg->tick_time * 2;
  if (seen.max_session_timeout == nullptr) cfg->max_session_timeout = cfg->tick_time * 20;
  if (cfg->min_session_timeout > cfg->max_session_timeout) {
    const Property* where =
        seen.min_session_timeout ? seen.min_session_timeout : seen.max_session_timeout;
    return Status::InvalidArgument(
        Where(f, where->line) + ": minSessionTimeout " + std::to_string(cfg->min_session_timeout) +
        " must not be larger than maxSessionTimeout " + std::to_string(cfg->max_session_timeout) +
        (seen.min_session_timeout && seen.max_session_timeout
             ? ""
             : " (the one not set defaults to " +
                   std::string(seen.min_session_timeout ? "20" : "2") + " x tickTime " +
                   std::to_string(cfg->tick_time) + ")"));
  }

  Status s = internal::CheckServerLines(*cfg, &cfg->warnings);
  if (!s.ok()) return s;
  if (cfg->distributed()) {
    // QuorumPeerConfig.checkValidity: 0 means "not set".
    const std::string why = " (required when server.X lines define an ensemble)";
    if (seen.init_limit == nullptr)
      return Status::InvalidArgument(file + ": initLimit is not set" + why);
    if (cfg->init_limit == 0) return KeyError(f, *seen.init_limit, "initLimit must be > 0" + why);
    if (seen.sync_limit == nullptr)
      return Status::InvalidArgument(file + ": syncLimit is not set" + why);
    if (cfg->sync_limit == 0) return KeyError(f, *seen.sync_limit, "syncLimit must be > 0" + why);
  }
  if (seen.plugin_election == nullptr) {
    cfg->plugin_election = cfg->distributed() ? "raft" : "standalone";
  }
  return Status::OK();
}

}  // namespace

const std::vector<std::string>& KnownFourLetterWords() {
  static const std::vector<std::string> kWords = {"conf", "cons", "crst", "dirs", "dump", "envi",
                                                  "gtmk", "hash", "isro", "mntr", "ruok", "srst",
                                                  "srvr", "stat", "stmk", "wchc", "wchp", "wchs"};
  return kWords;
}

int ZooConfig::participants() const {
  return static_cast<int>(std::count_if(servers.begin(), servers.end(),
                                        [](const ServerLine& s) { return !s.observer; }));
}

const ServerLine* ZooConfig::self() const {
  if (!has_my_id) return nullptr;
  for (const ServerLine& s : servers) {
    if (s.id == my_id) return &s;
  }
  return nullptr;
}

Status ParseZooConfig(const std::string& text, const std::string& file, ZooConfig* out) {
  *out = ZooConfig();
  out->file = file;
  std::vector<Property> props;
  Status s = ParseProperties(text, file, &props);
  if (!s.ok()) return s;
  for (Property& p : props) {
    p.key = internal::JavaTrim(p.key);
    p.value = internal::JavaTrim(p.value);
  }
  out->properties = props;

  // java.util.Properties keeps the last of repeated keys. For server.X that silently
  // shrinks the ensemble (operations.md §6.1), so it is an error; elsewhere a warning.
  std::map<std::string, size_t> last;
  std::map<uint64_t, const Property*> server_ids;
  for (size_t i = 0; i < props.size(); ++i) {
    const Property& p = props[i];
    uint64_t id = 0;
    if (p.key.rfind("server.", 0) == 0 && internal::ParseServerId(p.key, &id)) {
      auto [it, inserted] = server_ids.emplace(id, &p);
      if (!inserted) {
        return KeyError(file, p,
                        "server " + std::to_string(id) + " is already defined on line " +
                            std::to_string(it->second->line) + " ('" + it->second->key + "=" +
                            it->second->value +
                            "'); ZooKeeper would silently keep only the last one");
      }
    }
    auto [it, inserted] = last.emplace(p.key, i);
    if (!inserted) {
      out->warnings.push_back(Where(file, p.line) + ": key '" + p.key + "' repeats line " +
                              std::to_string(props[it->second].line) +
                              "; the last value wins, as in ZooKeeper");
      it->second = i;
    }
  }

  Seen seen;
  for (size_t i = 0; i < props.size(); ++i) {
    if (last[props[i].key] != i) continue;
    s = ApplyKey(props[i], out, &seen);
    if (!s.ok()) return s;
  }
  // ApplyKey kept pointers into `props`; Resolve only reads them before returning.
  return Resolve(seen, out);
}

}  // namespace zk::config
