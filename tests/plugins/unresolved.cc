// Needs a symbol nothing provides: dlopen (RTLD_NOW) fails and the loader shows dlerror.
#include "test_factory.h"

extern "C" int zk_test_symbol_nobody_defines();

namespace {
// Referenced from an exported function so the linker keeps the undefined reference.
__attribute__((visibility("default"))) int Use() { return zk_test_symbol_nobody_defines(); }
}  // namespace
extern "C" __attribute__((visibility("default"))) int zk_test_unresolved_user() { return Use(); }

ZK_DEFINE_PLUGIN("storage", "unresolved", "0.0.1", zk::test_plugins::NullStorageFactory)
