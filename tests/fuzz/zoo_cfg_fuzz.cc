// Fuzzes ParseZooConfig (and under it java.util.Properties parsing) with arbitrary bytes as
// zoo.cfg text, then the plugin-key checks on whatever parsed. Besides crashes it checks
// what a successful parse promises: resolved defaults, sane ranges, unique server ids.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "config/zoo_cfg.h"

namespace {

void Require(bool cond) {
  if (!cond) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  std::vector<zk::config::Property> props;
  zk::Status ps = zk::config::ParseProperties(text, "fuzz.cfg", &props);
  for (const auto& p : props) Require(p.line >= 1);

  zk::config::ZooConfig cfg;
  zk::Status s = zk::config::ParseZooConfig(text, "fuzz.cfg", &cfg);
  if (!ps.ok()) Require(!s.ok());  // a Properties error is always a config error
  if (!s.ok()) {
    Require(s.code() == zk::Status::Code::kInvalidArgument);
    Require(s.message().rfind("fuzz.cfg", 0) == 0);
    return 0;
  }
  Require(cfg.tick_time > 0);
  Require(cfg.min_session_timeout <= cfg.max_session_timeout);
  Require(!cfg.plugin_election.empty());
  Require(cfg.four_letter_words.count("srvr") == 1);
  Require(cfg.autopurge_snap_retain_count >= 3);
  if (!cfg.data_dir.empty()) Require(!cfg.data_log_dir.empty());
  std::set<uint64_t> ids;
  for (const auto& server : cfg.servers) {
    Require(ids.insert(server.id).second);
    Require(!server.host.empty() && server.quorum_port != 0 && server.election_port != 0);
    Require(server.quorum_port != server.election_port);
  }
  if (cfg.distributed()) Require(cfg.init_limit > 0 && cfg.sync_limit > 0);

  const std::vector<zk::KeySpec> specs = {
      {"n", zk::KeySpec::Type::kInt, "1", ""},
      {"b", zk::KeySpec::Type::kBool, "false", ""},
      {"s", zk::KeySpec::Type::kString, "", ""},
  };
  zk::PluginConfig pc;
  (void)zk::config::ValidatePluginKeys(cfg, "storage", cfg.plugin_storage, specs, &pc);
  (void)zk::config::CheckUnclaimedPluginKeys(cfg);
  return 0;
}
