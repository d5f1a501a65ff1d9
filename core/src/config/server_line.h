// server.X lines (QuorumPeer.QuorumServer(long, String) and ConfigUtils.getHostAndPort
// semantics). Internal to core/src/config.
#pragma once

#include <string>
#include <vector>

#include "config/zoo_cfg.h"
#include "zk/status.h"

namespace zk::config::internal {

// Parses the id from `server.X`. False if X is not a non-negative decimal number.
bool ParseServerId(const std::string& key, uint64_t* id);

// Parses one server.X=... property (key and value already trimmed).
Status ParseServerLine(const std::string& file, const Property& p, ServerLine* out);

// Rules across server lines: no two lines share host:port; QuorumPeerConfig's
// participant/observer/standaloneEnabled rules. Appends QuorumPeerConfig's warnings.
Status CheckServerLines(const ZooConfig& cfg, std::vector<std::string>* warnings);

}  // namespace zk::config::internal
