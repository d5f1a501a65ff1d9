// A descriptor that passes every check, but no zk_plugin_factory symbol.
#include "zk/plugin.h"

namespace {
const zk_plugin_descriptor* Descriptor() {
  static const zk_plugin_descriptor d = {
      ZK_PLUGIN_ABI_MAJOR, ZK_PLUGIN_ABI_MINOR, "storage", "nofactory", "0.0.1", ZK_COMPILER_TAG};
  return &d;
}
}  // namespace
BOOST_DLL_ALIAS(Descriptor, zk_plugin_descriptor)
