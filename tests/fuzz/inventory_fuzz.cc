// Fuzz target: the zkops inventory (tools/zkops/inventory: ParseInventory, SelectEnvironment,
// RenderCluster, RenderSystemdUnit) with arbitrary bytes as the YAML text. yaml-cpp reports
// by exceptions; none may leave the parser (an escaping exception aborts this target).
// Checked: errors are InvalidArgument naming the file; for a parsed inventory, every
// environment renders or fails with InvalidArgument, and a rendered zoo.cfg has one origin per
// line (no value smuggles a line break, \n or \r, into it), a myid of "<id>\n", and absolute
// paths.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/check.h"
#include "inventory/inventory.h"

namespace {

using namespace zkops::inventory;

void CheckError(const zk::Status& s) {
  ZK_CHECK(s.code() == zk::Status::Code::kInvalidArgument);
  ZK_CHECK(s.message().rfind("fuzz.yaml", 0) == 0);
}

size_t Count(const std::string& s, char c) {
  size_t n = 0;
  for (char x : s) n += x == c;
  return n;
}

void CheckRendered(const RenderedCluster& cluster) {
  for (const RenderedServer& server : cluster.servers) {
    // java.util.Properties ends a line at \n, \r or \r\n.
    if (Count(server.zoo_cfg, '\n') != server.line_origin.size() ||
        server.zoo_cfg.find('\r') != std::string::npos ||
        (!server.zoo_cfg.empty() && server.zoo_cfg.back() != '\n')) {
      std::fprintf(stderr, "zoo.cfg of server %llu has %zu line origins:\n%s\n",
                   static_cast<unsigned long long>(server.id), server.line_origin.size(),
                   server.zoo_cfg.c_str());
      ZK_CHECK(false);
    }
    ZK_CHECK(server.myid == std::to_string(server.id) + "\n");
    for (const std::string* path : {&server.install_dir, &server.conf_dir, &server.data_dir,
                                    &server.data_log_dir, &server.log_dir}) {
      ZK_CHECK(!path->empty() && (*path)[0] == '/');
    }
    RenderedUnit unit = RenderSystemdUnit(cluster, server);
    ZK_CHECK(!unit.name.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  Inventory inv;
  zk::Status s = ParseInventory(text, "fuzz.yaml", &inv);
  if (!s.ok()) {
    CheckError(s);
    return 0;
  }
  const Environment* chosen = nullptr;
  s = SelectEnvironment(inv, "", &chosen);
  if (!s.ok()) ZK_CHECK(s.code() == zk::Status::Code::kInvalidArgument);
  for (const Environment& env : inv.environments) {
    if (!env.name.empty()) {  // "" selects the default environment
      const Environment* e = nullptr;
      ZK_CHECK(SelectEnvironment(inv, env.name, &e).ok() && e == &env);
    }
    RenderedCluster cluster;
    s = RenderCluster(inv, env, &cluster);
    if (!s.ok()) {
      CheckError(s);
      continue;
    }
    ZK_CHECK(cluster.servers.size() == inv.servers.size());
    CheckRendered(cluster);
  }
  return 0;
}
