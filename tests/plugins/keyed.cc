// A well-built plugin that declares keys (int, bool, string): the loader loads it and the
// config layer validates storage.keyed.* against its Keys().
#include "test_factory.h"

namespace {

class KeyedFactory : public zk::test_plugins::NullStorageFactory {
 public:
  std::vector<zk::KeySpec> Keys() const override {
    return {
        {"retries", zk::KeySpec::Type::kInt, "3", "how many times to retry"},
        {"verbose", zk::KeySpec::Type::kBool, "false", "log every call"},
        {"mode", zk::KeySpec::Type::kString, "fast", "fast or safe"},
    };
  }
};

}  // namespace

ZK_DEFINE_PLUGIN("storage", "keyed", "1.2.3", KeyedFactory)
