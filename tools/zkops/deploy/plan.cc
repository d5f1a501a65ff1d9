#include "deploy/plan.h"

#include <algorithm>
#include <filesystem>

#include "inventory/check.h"

namespace zkops::deploy {

std::vector<std::string> InstallFiles(const inventory::RenderedCluster& cluster) {
  std::vector<std::string> files = {"bin/zknode", "bin/zkops"};
  for (const char* kind : {"transport", "storage", "election"}) {
    files.push_back(std::string(ZK_PLUGIN_REL_DIR) + "/libzk_" + kind + "_" +
                    inventory::PluginFor(cluster, kind) + ".so");
  }
  return files;
}

std::string BuildRootFor(const std::string& exe_dir) {
  std::string root = std::filesystem::path(exe_dir + "/..").lexically_normal().string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return root;
}

zk::Status CheckBuildFiles(const std::string& root, const std::vector<std::string>& files) {
  std::string missing;
  std::error_code ec;
  for (const std::string& f : files) {
    if (!std::filesystem::is_regular_file(root + "/" + f, ec)) {
      missing += (missing.empty() ? "" : ", ") + root + "/" + f;
    }
  }
  if (missing.empty()) return zk::Status::OK();
  return zk::Status::NotFound("the build lacks " + missing +
                              " (build zknode and the environment's plugins first)");
}

zk::Status ParseServerIds(const std::string& text, std::vector<uint64_t>* ids) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string word = text.substr(start, comma == std::string::npos ? std::string::npos
                                                                      : comma - start);
    if (word.empty() || word.find_first_not_of("0123456789") != std::string::npos ||
        word.size() > 6) {
      return zk::Status::InvalidArgument("--servers needs server ids like 1,2 (got '" + text +
                                         "')");
    }
    uint64_t id = std::stoull(word);
    if (std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return zk::Status::OK();
}

Action Decide(const ServerChange& change, bool no_restart) {
  if (!change.running) return Action::kStart;
  if (change.changed_files.empty() && !change.config_changed) return Action::kNothing;
  return no_restart ? Action::kRestartSkipped : Action::kRestart;
}

const char* ActionName(Action action) {
  switch (action) {
    case Action::kNothing:
      return "nothing to do";
    case Action::kStart:
      return "start";
    case Action::kRestart:
      return "rolling restart";
    case Action::kRestartSkipped:
      return "restart needed, skipped (--no-restart)";
  }
  return "?";
}

bool LeaderId(const status::EnsembleStatus& status, uint64_t* id) {
  for (const status::ServerReport& r : status.servers) {
    if (r.state == status::State::kLeader && r.target.expected_id) {
      *id = static_cast<uint64_t>(*r.target.expected_id);
      return true;
    }
  }
  return false;
}

std::vector<uint64_t> RestartOrder(const std::vector<uint64_t>& to_restart,
                                   const status::EnsembleStatus& status) {
  uint64_t leader = 0;
  const bool has_leader = LeaderId(status, &leader);
  std::vector<uint64_t> order;
  for (uint64_t id : to_restart) {
    if (!has_leader || id != leader) order.push_back(id);
  }
  if (has_leader && std::find(to_restart.begin(), to_restart.end(), leader) != to_restart.end()) {
    order.push_back(leader);
  }
  return order;
}

}  // namespace zkops::deploy
