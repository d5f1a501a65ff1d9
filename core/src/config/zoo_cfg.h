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
// Every entry in file order, duplicates included (Properties keeps the last; callers that
// need "last wins" apply it). Bytes other than escapes pass through unchanged (the file is
// taken as UTF-8, where Properties.load(InputStream) would read ISO-8859-1); \uXXXX becomes
// UTF-8. The only error is a malformed \uXXXX escape: InvalidArgument "FILE:LINE: ..." (or
// "line N: ..." without a file name).
Status ParseProperties(const std::string& text, std::vector<Property>* out);
Status ParseProperties(const std::string& text, const std::string& file,
                       std::vector<Property>* out);

// server.X=host:quorum:election[:participant|observer][;[clientAddr:]clientPort]
struct ServerLine {
  uint64_t id = 0;
  std::string host;  // an IPv6 literal without its brackets
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
  int init_limit = 10;   // required (> 0) in distributed mode, as QuorumPeerConfig does
  int sync_limit = 5;
  std::string data_dir;
  std::string data_log_dir;         // = data_dir when absent
  uint16_t client_port = 0;         // from clientPort, or from this server's server.X ;port
  std::string client_port_address;  // "" = all addresses
  int max_client_cnxns = 60;        // 0 = unlimited
  int min_session_timeout = 0;      // resolved: 2 * tick_time when absent
  int max_session_timeout = 0;      // resolved: 20 * tick_time when absent
  int32_t jute_max_buffer = 0xfffff;
  // 4lw.commands.whitelist, "*" expanded to every word ZooKeeper 3.8 knows; srvr is always
  // in (FourLetterCommands.java: "zkServer.sh depends on srvr").
  std::set<std::string> four_letter_words = {"srvr"};
  int64_t snap_count = 100000;
  int autopurge_snap_retain_count = 3;
  int autopurge_purge_interval = 0;     // hours, 0 = off
  bool extended_types_enabled = false;  // extendedTypesEnabled (TTL nodes)
  // DigestAuthenticationProvider.superDigest: "super:<base64 sha1>" of the super user.
  std::string super_digest;
  // znode.container.checkIntervalMs: how often empty containers and expired TTL nodes go.
  int64_t container_check_interval_ms = 60000;
  bool standalone_enabled = true;

  bool admin_enable_server = true;
  std::string admin_server_address = "0.0.0.0";
  uint16_t admin_server_port = 8080;
  std::string admin_command_url = "/commands";
  int admin_idle_timeout = 30000;

  std::vector<ServerLine> servers;  // in file order
  uint64_t my_id = 0;               // from dataDir/myid
  bool has_my_id = false;

  std::string plugin_dir;  // "" = the default next to the binary
  std::string plugin_transport = "tcp";
  std::string plugin_storage = "sqlite";
  std::string plugin_election;  // resolved: "raft" when distributed, else "standalone"

  // Every `<kind>.<name>.<key>` line, as written: checked later against the plugin's
  // declared keys (ValidatePluginKeys).
  std::map<std::string, Property> plugin_keys;

  // Every key as read (key and value trimmed, as QuorumPeerConfig trims them), in file
  // order, duplicates included (conf, error messages).
  std::vector<Property> properties;
  // Accepted with a warning, "FILE:LINE: ...": keys ZooKeeper knows that we do not
  // implement, repeated keys, and what QuorumPeerConfig itself warns about. The caller logs
  // them.
  std::vector<std::string> warnings;

  // Voting members (server lines that are not observers).
  int participants() const;
  // QuorumPeerConfig.isDistributed(): more than one voter, or standaloneEnabled=false.
  bool distributed() const {
    return participants() > 1 || (participants() > 0 && !standalone_enabled);
  }
  const ServerLine* self() const;  // this server's line (server.<my_id>), or nullptr
  bool FourLetterWordEnabled(const std::string& word) const {
    return four_letter_words.count(word) > 0;
  }
};

// The four-letter words ZooKeeper 3.8 knows (FourLetterCommands.java), sorted.
const std::vector<std::string>& KnownFourLetterWords();

// Parses zoo.cfg text; `*out` is reset first. Errors are InvalidArgument with
// "FILE:LINE: key 'k': why", and for an unknown key, "did you mean 'x'?" with the closest
// known key. Validates everything the text alone decides (value syntax and ranges, server
// lines, initLimit/syncLimit in distributed mode) and resolves the defaults that depend on
// other keys (session timeouts, dataLogDir, plugin.election). Does not read the disk and
// does not require dataDir (LoadZooConfig does).
Status ParseZooConfig(const std::string& text, const std::string& file, ZooConfig* out);
// Reads the file, parses it, requires dataDir, reads dataDir/myid (required when
// distributed: ZooKeeper's "myid file is missing", "My id N not in the peer list"), takes
// clientPort from this server's `;port` when the server line has one.
Status LoadZooConfig(const std::string& path, ZooConfig* out);

// Checks the `<kind>.<name>.*` keys against a loaded plugin's KeySpecs and returns its
// PluginConfig with defaults filled in (ints in decimal, bools as "true"/"false").
// Unknown key or wrong type: an error naming file, line and key, listing the keys the
// plugin declares.
Status ValidatePluginKeys(const ZooConfig& cfg, const std::string& kind, const std::string& name,
                          const std::vector<KeySpec>& specs, PluginConfig* out);

// Keys under a prefix that belong to plugins not selected are an error too (a typo in a
// plugin name): call after all three plugins are validated.
Status CheckUnclaimedPluginKeys(const ZooConfig& cfg);

}  // namespace zk::config
