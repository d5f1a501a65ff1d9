// Installed as libzk_storage_wrongname.so but declares itself 'memory' (a renamed file).
#include "test_factory.h"

ZK_DEFINE_PLUGIN("storage", "memory", "0.0.1", zk::test_plugins::NullStorageFactory)
