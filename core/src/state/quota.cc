// /zookeeper/quota bookkeeping, as ZooKeeper's DataTree does it: a node
// /zookeeper/quota<P>/zookeeper_limits puts P under quota, and every create/delete/setData
// under P updates the data of /zookeeper/quota<P>/zookeeper_stats ("count=N,bytes=M", the
// StatsTrack format) without touching that node's Stat. zkCli listquota reads it.
#include <map>
#include <optional>

#include "state/java_number.h"
#include "state/data_tree_impl.h"
#include "state/path.h"

namespace zk::state {
namespace {

constexpr std::string_view kQuotaRoot = "/zookeeper/quota";
constexpr std::string_view kLimitsNode = "zookeeper_limits";
constexpr std::string_view kStatsNode = "zookeeper_stats";

// org.apache.zookeeper.StatsTrack: "k=v" pairs split on [,;]+; a missing key reads -1.
class StatsTrack {
 public:
  explicit StatsTrack(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      while (i < text.size() && (text[i] == ',' || text[i] == ';')) ++i;
      size_t end = i;
      while (end < text.size() && text[end] != ',' && text[end] != ';') ++end;
      const std::string_view pair = text.substr(i, end - i);
      i = end;
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;  // Java would throw; we skip the pair
      std::string_view value = pair.substr(eq + 1);
      value = value.substr(0, value.find('='));  // "bytes=5=" (the old-parser trick)
      const auto v = value.empty() ? std::optional<int64_t>(-1) : ParseJavaLong(value);
      if (v) stats_[std::string(pair.substr(0, eq))] = *v;
    }
  }
  int64_t Get(const std::string& key) const {
    auto it = stats_.find(key);
    return it == stats_.end() ? -1 : it->second;
  }
  void Set(const std::string& key, int64_t v) { stats_[key] = v; }
  std::string ToString() const {
    std::string out =
        "count=" + std::to_string(Get("count")) + ",bytes=" + std::to_string(Get("bytes"));
    bool first = true;
    for (const auto& [key, value] : stats_) {  // std::map: sorted, as StatsTrack sorts
      if (key == "count" || key == "bytes") continue;
      if (first) out += '=';
      first = false;
      out += ';' + key + '=' + std::to_string(value);
    }
    return out;
  }

 private:
  std::map<std::string, int64_t> stats_;
};

std::string StatsPath(std::string_view quota_path) {
  std::string p(kQuotaRoot);
  p += quota_path;
  p += '/';
  p += kStatsNode;
  return p;
}

}  // namespace

namespace {

// DataTree.getMaxPrefixWithQuota: the deepest quota path that is a component prefix of
// `path`; the root never counts.
std::optional<std::string> MaxQuotaPrefix(const std::set<std::string, std::less<>>& quotas,
                                          std::string_view path) {
  if (quotas.empty()) return std::nullopt;
  for (std::string_view p = path; !p.empty() && p != "/"; p = ParentOf(p)) {
    if (quotas.find(p) != quotas.end()) return std::string(p);
  }
  return std::nullopt;
}

void UpdateStat(DataTree::Impl* t, const std::string& stats_path, int64_t bytes_diff,
                int64_t count_diff, std::vector<NodeImage>* undo) {
  Node* n = t->Find(stats_path);
  if (n == nullptr) return;  // ZooKeeper logs "Missing node for stat"
  if (undo != nullptr) undo->push_back(t->Capture(stats_path));
  StatsTrack st(n->data);
  st.Set("count", st.Get("count") + count_diff);
  st.Set("bytes", st.Get("bytes") + bytes_diff);
  t->SetData(n, st.ToString());
}

// DataTree.updateQuotaForPath: recount the subtree at `quota_path`.
void Recount(DataTree::Impl* t, std::string_view quota_path, std::vector<NodeImage>* undo) {
  const std::string stats_path = StatsPath(quota_path);
  Node* stats = t->Find(stats_path);
  if (stats == nullptr) return;
  int64_t count = 0;
  int64_t bytes = 0;
  if (const Node* top = t->Find(quota_path); top != nullptr && !quota_path.empty()) {
    std::vector<const Node*> stack{top};
    while (!stack.empty()) {
      const Node* cur = stack.back();
      stack.pop_back();
      ++count;
      bytes += static_cast<int64_t>(cur->data.size());
      for (const Node* c = cur->first_child; c != nullptr; c = c->next_sibling) {
        stack.push_back(c);
      }
    }
  }
  if (undo != nullptr) undo->push_back(t->Capture(stats_path));
  StatsTrack st("");
  st.Set("count", count);
  st.Set("bytes", bytes);
  t->SetData(stats, st.ToString());
}

}  // namespace

void DataTree::Impl::QuotaOnCreate(std::string_view path, int64_t bytes,
                                   std::vector<NodeImage>* undo) {
  const std::string_view parent = ParentOf(path);
  if (parent.starts_with(kQuotaRoot)) {
    const std::string_view quota_path = parent.substr(kQuotaRoot.size());
    if (BaseName(path) == kLimitsNode) quota_paths.emplace(quota_path);
    if (BaseName(path) == kStatsNode) Recount(this, quota_path, undo);
  }
  if (auto prefix = MaxQuotaPrefix(quota_paths, path)) {
    UpdateStat(this, StatsPath(*prefix), bytes, 1, undo);
  }
}

void DataTree::Impl::QuotaOnDelete(std::string_view path, int64_t bytes,
                                   std::vector<NodeImage>* undo) {
  const std::string_view parent = ParentOf(path);
  if (parent.starts_with(kQuotaRoot) && BaseName(path) == kLimitsNode) {
    auto it = quota_paths.find(parent.substr(kQuotaRoot.size()));
    if (it != quota_paths.end()) quota_paths.erase(it);
  }
  if (auto prefix = MaxQuotaPrefix(quota_paths, path)) {
    UpdateStat(this, StatsPath(*prefix), -bytes, -1, undo);
  }
}

void DataTree::Impl::QuotaOnSetData(std::string_view path, int64_t bytes_diff,
                                    std::vector<NodeImage>* undo) {
  if (auto prefix = MaxQuotaPrefix(quota_paths, path)) {
    UpdateStat(this, StatsPath(*prefix), bytes_diff, 0, undo);
  }
}

void DataTree::Impl::RebuildQuotas() {
  // DataTree.setupQuota walks /zookeeper/quota for leaf zookeeper_limits nodes. Unlike
  // ZooKeeper we do not recount the stats here: replicas that restarted from a snapshot must
  // keep byte-identical data with those that did not.
  quota_paths.clear();
  const Node* top = Find(kQuotaRoot);
  if (top == nullptr) return;
  std::vector<const Node*> stack{top};
  const std::string suffix = "/" + std::string(kLimitsNode);
  while (!stack.empty()) {
    const Node* cur = stack.back();
    stack.pop_back();
    if (cur->first_child == nullptr && cur->path.ends_with(suffix)) {
      const size_t at = cur->path.find(suffix);
      quota_paths.emplace(cur->path.substr(kQuotaRoot.size(), at - kQuotaRoot.size()));
    }
    for (const Node* c = cur->first_child; c != nullptr; c = c->next_sibling) {
      stack.push_back(c);
    }
  }
}

}  // namespace zk::state
