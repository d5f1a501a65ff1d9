// Installed as libzk_storage_wrongkind.so but declares itself a transport.
#include "test_factory.h"

ZK_TEST_PLUGIN_DESCRIPTOR(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR, "transport", "wrongkind",
                          ZK_COMPILER_TAG)
