// Same major, newer minor: built against an SDK this host does not have yet.
#include "test_factory.h"

ZK_TEST_PLUGIN_DESCRIPTOR(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR + 1, "storage", "newminor",
                          ZK_COMPILER_TAG)
