// The tcp transport's factory and its exported descriptor (DESIGN §5).
#include <memory>
#include <string>
#include <vector>

#include "tcp_transport.h"
#include "zk/plugin.h"
#include "zk/transport.h"

namespace zk::tcp {
namespace {

constexpr int64_t kDefaultBacklog = 1024;
constexpr int64_t kDefaultReadBuffer = 64 * 1024;

// Reads an int key, falling back to `def` when the host passed no value (defaults are filled
// in by the loader; a bare PluginConfig in tests has none).
int64_t IntOr(const PluginConfig& config, const std::string& key, int64_t def) {
  return config.GetString(key).empty() ? def : config.GetInt(key);
}

class TcpTransportFactory final : public TransportFactory {
 public:
  std::vector<KeySpec> Keys() const override {
    return {
        {"listenBacklog", KeySpec::Type::kInt, std::to_string(kDefaultBacklog),
         "listen(2) backlog of every listening socket (the kernel caps it at somaxconn)"},
        {"readBufferBytes", KeySpec::Type::kInt, std::to_string(kDefaultReadBuffer),
         "size of the I/O thread's read buffer: the most one OnData delivers (4096..16777216)"},
    };
  }

  std::unique_ptr<Transport> Create(const PluginConfig& config, Host* host,
                                    Status* status) override {
    TcpOptions options;
    int64_t backlog = 0;
    int64_t read_buffer = 0;
    try {  // values were type-checked by the host; stay exception-free across the boundary
      backlog = IntOr(config, "listenBacklog", kDefaultBacklog);
      read_buffer = IntOr(config, "readBufferBytes", kDefaultReadBuffer);
    } catch (const std::exception&) {
      *status = Status::InvalidArgument(
          "transport.tcp: listenBacklog and readBufferBytes must be integers");
      return nullptr;
    }
    if (backlog < 1 || backlog > 65535) {
      *status = Status::InvalidArgument("transport.tcp.listenBacklog must be in 1..65535, got " +
                                        std::to_string(backlog));
      return nullptr;
    }
    if (read_buffer < 4096 || read_buffer > 16 * 1024 * 1024) {
      *status =
          Status::InvalidArgument("transport.tcp.readBufferBytes must be in 4096..16777216, got " +
                                  std::to_string(read_buffer));
      return nullptr;
    }
    options.listen_backlog = static_cast<int>(backlog);
    options.read_buffer_bytes = static_cast<size_t>(read_buffer);
    *status = Status::OK();
    return std::make_unique<TcpTransport>(host, options);
  }
};

}  // namespace
}  // namespace zk::tcp

ZK_DEFINE_PLUGIN("transport", "tcp", "0.1.0", zk::tcp::TcpTransportFactory)
