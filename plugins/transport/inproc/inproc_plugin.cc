// The inproc transport's factory and its exported descriptor (DESIGN §5).
#include <memory>
#include <vector>

#include "inproc_transport.h"
#include "zk/plugin.h"
#include "zk/transport.h"

namespace zk::inproc {
namespace {

class InprocTransportFactory final : public TransportFactory {
 public:
  std::vector<KeySpec> Keys() const override {
    return {{"name", KeySpec::Type::kString, "",
             "name of this transport in the inproc partition/delay controls (default: only "
             "its listening endpoints identify it)"}};
  }

  std::unique_ptr<Transport> Create(const PluginConfig& config, Host* host,
                                    Status* status) override {
    if (host == nullptr) {
      *status = Status::InvalidArgument("transport.inproc needs a host: it delivers on Post");
      return nullptr;
    }
    *status = Status::OK();
    return std::make_unique<InprocTransport>(host, config.GetString("name"));
  }
};

}  // namespace
}  // namespace zk::inproc

ZK_DEFINE_PLUGIN("transport", "inproc", "0.1.0", zk::inproc::InprocTransportFactory)
