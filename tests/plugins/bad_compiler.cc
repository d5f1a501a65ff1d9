// Declares a compiler the host was not built with.
#include "test_factory.h"

ZK_TEST_PLUGIN_DESCRIPTOR(ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR, "storage", "badcompiler",
                          "g++ 4.8.5 libstdc++ 4 cxx11abi=0")
