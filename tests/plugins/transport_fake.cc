// A well-built plugin of another kind, so AvailablePlugins can be seen to filter by kind.
#include "zk/plugin.h"

namespace {

class FakeTransportFactory : public zk::PluginFactory {
 public:
  std::vector<zk::KeySpec> Keys() const override { return {}; }
};

}  // namespace

ZK_DEFINE_PLUGIN("transport", "fake", "0.0.1", FakeTransportFactory)
