// ABI major one ahead of the host: the loader must refuse before reading anything else.
#include "test_factory.h"

ZK_TEST_PLUGIN_DESCRIPTOR(ZK_PLUGIN_ABI_MAJOR + 1, 0, "storage", "badmajor", ZK_COMPILER_TAG)
