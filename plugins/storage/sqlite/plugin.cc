// Factory and keys of the sqlite storage plugin (README.md).
#include "zk/plugin.h"

#include <memory>
#include <string>
#include <vector>

#include "sqlite_storage.h"
#include "zk/storage.h"

namespace zk::storage_sqlite {
namespace {

class SqliteStorageFactory final : public StorageFactory {
 public:
  std::vector<KeySpec> Keys() const override {
    return {
        {"synchronous", KeySpec::Type::kString, "full",
         "full: fsync the WAL at every commit, so `done` means on disk (default). normal: "
         "commits reach the OS only (survive a zknode crash, not a power loss); fsync happens "
         "at checkpoints."},
        {"maxBatch", KeySpec::Type::kInt, "1000",
         "Most log entries one commit (one fsync) carries when appends queue up "
         "(ZooKeeper's maxBatchSize)."},
    };
  }

  std::unique_ptr<Storage> Create(const PluginConfig& config, Host* host, Status* status) override {
    Options options;
    const std::string& sync = config.GetString("synchronous");
    if (sync == "normal") {
      options.full_sync = false;
    } else if (!sync.empty() && sync != "full") {
      *status = Status::InvalidArgument(
          "storage.sqlite.synchronous: expected full or normal, got '" + sync + "'");
      return nullptr;
    }
    if (!config.GetString("maxBatch").empty()) {
      int64_t max_batch = 0;
      try {
        max_batch = config.GetInt("maxBatch");
      } catch (...) {  // std::stoll; nothing may throw across the plugin boundary
        max_batch = 0;
      }
      if (max_batch < 1 || max_batch > 1000000) {
        *status = Status::InvalidArgument(
            "storage.sqlite.maxBatch: expected an integer in 1..1000000, got '" +
            config.GetString("maxBatch") + "'");
        return nullptr;
      }
      options.max_batch = static_cast<int>(max_batch);
    }
    if (host == nullptr) {
      *status = Status::InvalidArgument("storage.sqlite: a Host is required");
      return nullptr;
    }
    *status = Status::OK();
    return std::make_unique<SqliteStorage>(options, host);
  }
};

}  // namespace
}  // namespace zk::storage_sqlite

ZK_DEFINE_PLUGIN("storage", "sqlite", "0.1.0", zk::storage_sqlite::SqliteStorageFactory)
