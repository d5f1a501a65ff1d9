// zoo.cfg, read the way ZooKeeper reads it (java.util.Properties syntax, QuorumPeerConfig
// semantics), plus our plugin.* and <kind>.<name>.<key> keys (DESIGN §6).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "zk/plugin.h"
#include "zk/status.h"

namespace zk::config {

// One key=value as java.util.Properties reads it: comments (# !), `=`, `:` or whitespace
// separators, line continuations, \t \n \uXXXX escapes. `line` is 1-based (the first line
// of a continued entry).
struct Property {
  std::string key;
  std::string value;
  int line = 0;
};
Status ParseProperties(const std::string& text, std::vector<Property>* out);

// server.X=host:quorum:election[:participant|observer][;[clientAddr:]clientPort]
struct ServerLine {
  uint64_t id = 0;
  std::string host;
  uint16_t quorum_port = 0;
  uint16_t election_port = 0;
  bool observer = false;
  std::string client_address;  // from the 3.5 form, "" if absent
  uint16_t client_port = 0;    // 0 if absent
  int line = 0;
};

struct ZooConfig {
  std::string file;  // the path it was read from (for messages)

  int tick_time = 3000;  // ZooKeeper's code default; zoo_sample.cfg uses 2000
  int init_limit = 10;
  int sync_limit = 5;
  std::string data_dir;
  std::string data_log_dir;  // = data_dir when absent
  uint16_t client_port = 0;  // from clientPort, or from this server's server.X ;port
  std::string client_port_address;  // "" = all addresses
  int max_client_cnxns = 60;
  int min_session_timeout = 0;  // resolved: 2 * tick_time when absent
  int max_session_timeout = 0;  // resolved: 20 * tick_time when absent
  int32_t jute_max_buffer = 0xfffff;
  std::set<std::string> four_letter_words = {"srvr"};  // 4lw.commands.whitelist; "*" = all
  int64_t snap_count = 100000;
  int autopurge_snap_retain_count = 3;
  int autopurge_purge_interval = 0;  // hours, 0 = off
  bool extended_types_enabled = false;  // extendedTypesEnabled (TTL nodes)
  bool standalone_enabled = true;

  bool admin_enable_server = true;
  std::string admin_server_address = "0.0.0.0";
  uint16_t admin_server_port = 8080;
  std::string admin_command_url = "/commands";
  int admin_idle_timeout = 30000;

  std::vector<ServerLine> servers;
  uint64_t my_id = 0;     // from dataDir/myid
  bool has_my_id = false;

  std::string plugin_dir;  // "" = the default next to the binary
  std::string plugin_transport = "tcp";
  std::string plugin_storage = "sqlite";
  std::string plugin_election;  // resolved: "raft" with server lines, else "standalone"

  // Every `<kind>.<name>.<key>` line, as written: checked later against the plugin's
  // declared keys (ValidatePluginKeys).
  std::map<std::string, Property> plugin_keys;

  // Every key as read, in file order (conf, error messages).
  std::vector<Property> properties;
  // Accepted with a warning: keys ZooKeeper knows that we do not implement.
  std::vector<std::string> warnings;

  bool distributed() const { return !servers.empty() && (servers.size() > 1 || !standalone_enabled); }
  const ServerLine* self() const;  // this server's line, or nullptr
};

// Parses zoo.cfg text. Errors are InvalidArgument with "FILE:LINE: key 'k': why", and for an
// unknown key, "did you mean 'x'?" with the closest known key.
Status ParseZooConfig(const std::string& text, const std::string& file, ZooConfig* out);
// Reads the file, parses it, reads dataDir/myid (required when distributed: ZooKeeper's
// "myid file is missing", "My id N not in the peer list"), resolves defaults.
Status LoadZooConfig(const std::string& path, ZooConfig* out);

// Checks the `<kind>.<name>.*` keys against a loaded plugin's KeySpecs and returns its
// PluginConfig with defaults filled in. Unknown key or wrong type: an error naming file, line
// and key, listing the keys the plugin declares.
Status ValidatePluginKeys(const ZooConfig& cfg, const std::string& kind, const std::string& name,
                          const std::vector<KeySpec>& specs, PluginConfig* out);

// Keys under a prefix that belong to plugins not selected are an error too (a typo in a
// plugin name): call after all three plugins are validated.
Status CheckUnclaimedPluginKeys(const ZooConfig& cfg);

}  // namespace zk::config
