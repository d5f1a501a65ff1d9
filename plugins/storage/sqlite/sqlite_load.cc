// SqliteStorage::Load: the recovery rules (README "Recovery").
#include <algorithm>

#include "snapshot_file.h"
#include "sqlite_storage.h"

namespace zk::storage_sqlite {

Status SqliteStorage::Load(PersistentState* out) {
  *out = PersistentState();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return Status::Unavailable("storage.sqlite: Load before Open");
  }
  std::lock_guard<std::mutex> lock(db_mu_);
  out->warnings = open_warnings_;

  Status s = db_.ReadTermVote(&out->term, &out->voted_for);
  if (!s.ok()) return s;

  // Newest valid snapshot. A corrupt one is skipped only if an older snapshot plus the log
  // still cover everything it held (checked below); otherwise Load refuses.
  std::vector<uint64_t> indexes;
  s = ListSnapshots(data_dir_, &indexes);
  if (!s.ok()) return s;
  std::vector<std::pair<uint64_t, Status>> corrupt;  // newest first
  for (uint64_t index : indexes) {
    Snapshot snapshot;
    s = ReadSnapshotFile(data_dir_, index, &snapshot);
    if (s.ok()) {
      out->snapshot = std::move(snapshot);
      break;
    }
    if (s.code() != Status::Code::kCorruption) return s;
    corrupt.emplace_back(index, s);
  }
  const uint64_t base = out->snapshot ? out->snapshot->meta.index : 0;

  uint64_t first = 0;
  uint64_t last = 0;
  s = db_.ReadEntries(base, &out->entries, &first, &last);
  if (!s.ok()) return s;

  if (!corrupt.empty()) {
    const uint64_t lost = corrupt.front().first;
    const bool covered = first != 0 && first <= base + 1 && last >= lost;
    if (!covered) {
      return Status::Corruption(
          corrupt.front().second.message() + "; no older snapshot and log cover entries " +
          std::to_string(base + 1) + ".." + std::to_string(lost) + ", refusing to start");
    }
    for (const auto& [index, status] : corrupt) {
      out->warnings.push_back("skipped " + status.message() + "; recovering from " +
                              (base > 0 ? SnapshotPath(data_dir_, base) : "an empty state") +
                              " and log entries " + std::to_string(base + 1) + ".." +
                              std::to_string(last));
    }
  }
  // Entries after the snapshot must start right after it. A log that starts later with no
  // snapshot file at all was compacted without one (allowed by the interface).
  if (!out->entries.empty() && out->entries.front().index != base + 1 &&
      (base > 0 || !indexes.empty())) {
    return Status::Corruption(
        "log in " + db_.path() + " starts at entry " + std::to_string(out->entries.front().index) +
        " but " +
        (base > 0 ? SnapshotPath(data_dir_, base) + " ends at entry " + std::to_string(base)
                  : std::string("no valid snapshot precedes it")) +
        ": entries in between are missing");
  }
  for (size_t i = open_warnings_.size(); i < out->warnings.size(); ++i) Warn(out->warnings[i]);
  last_index_ = std::max(last, indexes.empty() ? 0 : indexes.front());
  return Status::OK();
}

}  // namespace zk::storage_sqlite
