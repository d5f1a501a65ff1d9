#include "state/watch_manager.h"

#include <algorithm>

#include "state/path.h"

namespace zk::state {

void WatchManager::Table::Add(const std::string& path, WatcherId w, uint8_t mode) {
  auto [it, added_path] = by_path.try_emplace(path);
  auto [entry, added] = it->second.try_emplace(w, 0);
  if (added) {
    ++entries;
    by_watcher[w].insert(it->first);
  }
  if ((mode & kRecursive) && !(entry->second & kRecursive)) ++recursive;
  entry->second |= mode;
}

bool WatchManager::Table::Remove(const std::string& path, WatcherId w) {
  auto it = by_path.find(path);
  if (it == by_path.end()) return false;
  auto entry = it->second.find(w);
  if (entry == it->second.end()) return false;
  if (entry->second & kRecursive) --recursive;
  it->second.erase(entry);
  --entries;
  auto paths = by_watcher.find(w);
  paths->second.erase(std::string_view(it->first));
  if (paths->second.empty()) by_watcher.erase(paths);
  if (it->second.empty()) by_path.erase(it);
  return true;
}

bool WatchManager::Table::Has(const std::string& path, WatcherId w) const {
  auto it = by_path.find(path);
  return it != by_path.end() && it->second.count(w) != 0;
}

void WatchManager::Table::RemoveWatcher(WatcherId w) {
  auto paths = by_watcher.find(w);
  if (paths == by_watcher.end()) return;
  const std::vector<std::string> owned(paths->second.begin(), paths->second.end());
  for (const std::string& p : owned) Remove(p, w);
}

std::vector<WatcherId> WatchManager::Table::Fire(const std::string& path, proto::EventType type) {
  std::vector<WatcherId> fired;
  const bool children = type == proto::EventType::kNodeChildrenChanged;
  if (auto it = by_path.find(path); it != by_path.end()) {
    auto& watchers = it->second;
    for (auto entry = watchers.begin(); entry != watchers.end();) {
      uint8_t& mode = entry->second;
      // At the path itself, a recursive-only watch ignores NodeChildrenChanged
      // (WatchManager.triggerWatch checks isRecursive first).
      const bool fires = (mode & (kStandard | kPersistent)) || ((mode & kRecursive) && !children);
      if (!fires) {
        ++entry;
        continue;
      }
      fired.push_back(entry->first);
      mode &= static_cast<uint8_t>(~kStandard);  // one-shot: consumed
      if (mode != 0) {
        ++entry;
        continue;
      }
      auto paths = by_watcher.find(entry->first);
      paths->second.erase(std::string_view(it->first));
      if (paths->second.empty()) by_watcher.erase(paths);
      --entries;
      entry = watchers.erase(entry);
    }
    if (watchers.empty()) by_path.erase(it);
  }
  if (recursive > 0 && !children) {
    for (std::string_view p = ParentOf(path); !p.empty(); p = ParentOf(p)) {
      auto it = by_path.find(p);
      if (it == by_path.end()) continue;
      for (const auto& [w, mode] : it->second) {
        if (mode & kRecursive) fired.push_back(w);
      }
    }
  }
  std::sort(fired.begin(), fired.end());
  fired.erase(std::unique(fired.begin(), fired.end()), fired.end());
  return fired;
}

void WatchManager::AddDataWatch(const std::string& path, WatcherId w) {
  data_.Add(path, w, kStandard);
}

void WatchManager::AddChildWatch(const std::string& path, WatcherId w) {
  child_.Add(path, w, kStandard);
}

void WatchManager::AddPersistentWatch(const std::string& path, WatcherId w, bool recursive) {
  const uint8_t mode = recursive ? kRecursive : kPersistent;
  data_.Add(path, w, mode);
  child_.Add(path, w, mode);
}

void WatchManager::Trigger(const zk::state::Trigger& t,
                           std::vector<std::pair<WatcherId, proto::WatcherEvent>>* out) {
  auto emit = [&](const std::vector<WatcherId>& ws, const std::vector<WatcherId>* suppress) {
    for (WatcherId w : ws) {
      if (suppress != nullptr && std::binary_search(suppress->begin(), suppress->end(), w)) {
        continue;
      }
      out->emplace_back(w, proto::WatcherEvent{t.type, proto::KeeperState::kSyncConnected, t.path});
    }
  };
  switch (t.type) {
    case proto::EventType::kNodeCreated:
    case proto::EventType::kNodeDataChanged:
      emit(data_.Fire(t.path, t.type), nullptr);
      break;
    case proto::EventType::kNodeDeleted: {
      const std::vector<WatcherId> data = data_.Fire(t.path, t.type);
      emit(data, nullptr);
      emit(child_.Fire(t.path, t.type), &data);
      break;
    }
    case proto::EventType::kNodeChildrenChanged:
      emit(child_.Fire(t.path, t.type), nullptr);
      break;
    default:
      break;
  }
}

bool WatchManager::RemoveWatches(const std::string& path, int32_t type, WatcherId w, bool remove) {
  const bool children = type == proto::kWatcherTypeChildren || type == proto::kWatcherTypeAny;
  const bool data = type == proto::kWatcherTypeData || type == proto::kWatcherTypeAny;
  bool found = false;
  if (children) found |= remove ? child_.Remove(path, w) : child_.Has(path, w);
  if (data) found |= remove ? data_.Remove(path, w) : data_.Has(path, w);
  return found;
}

void WatchManager::RemoveWatcher(WatcherId w) {
  data_.RemoveWatcher(w);
  child_.RemoveWatcher(w);
}

size_t WatchManager::watch_count() const { return data_.entries + child_.entries; }
size_t WatchManager::path_count() const { return data_.by_path.size(); }
size_t WatchManager::watcher_count() const { return data_.by_watcher.size(); }
size_t WatchManager::data_watch_count() const { return data_.entries; }

std::map<WatcherId, std::set<std::string>> WatchManager::ByWatcher() const {
  std::map<WatcherId, std::set<std::string>> out;
  for (const auto& [w, paths] : data_.by_watcher) {
    out[w] = std::set<std::string>(paths.begin(), paths.end());
  }
  return out;
}

std::map<std::string, std::set<WatcherId>> WatchManager::ByPath() const {
  std::map<std::string, std::set<WatcherId>> out;
  for (const auto& [path, watchers] : data_.by_path) {
    auto& ids = out[path];
    for (const auto& [w, mode] : watchers) ids.insert(w);
  }
  return out;
}

}  // namespace zk::state
