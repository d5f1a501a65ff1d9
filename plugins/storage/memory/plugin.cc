// Factory and keys of the memory storage plugin (README.md).
#include "zk/plugin.h"

#include <memory>
#include <vector>

#include "memory_storage.h"
#include "zk/storage.h"

namespace zk::storage_memory {
namespace {

class MemoryStorageFactory final : public StorageFactory {
 public:
  std::vector<KeySpec> Keys() const override {
    // Read by the host, not here: at startup zknode refuses memory storage in a
    // multi-server ensemble (server.N lines) unless this is true (DESIGN §2), because a
    // restarted member would come back empty and could vote against committed entries.
    return {{"allowEnsemble", KeySpec::Type::kBool, "false",
             "Allow memory storage in a multi-server ensemble (data is lost on restart; "
             "tests and demos only)."}};
  }

  std::unique_ptr<Storage> Create(const PluginConfig&, Host* host, Status* status) override {
    if (host == nullptr) {
      *status = Status::InvalidArgument("storage.memory: a Host is required");
      return nullptr;
    }
    *status = Status::OK();
    return std::make_unique<MemoryStorage>(host);
  }
};

}  // namespace
}  // namespace zk::storage_memory

ZK_DEFINE_PLUGIN("storage", "memory", "0.1.0", zk::storage_memory::MemoryStorageFactory)
