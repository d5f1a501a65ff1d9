#include "common/log.h"

#include <spdlog/pattern_formatter.h>

#include <memory>
#include <string_view>

namespace zk::log {

namespace {

// ZooKeeper's level column: upper case, padded to five ("INFO ", "WARN ", "ERROR").
class UpperLevel : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view kNames[] = {"TRACE", "DEBUG", "INFO ", "WARN ",
                                                  "ERROR", "FATAL", "OFF  "};
    std::string_view name = kNames[static_cast<int>(msg.level)];
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevel>();
  }
};

}  // namespace

void Init(const std::string& myid, spdlog::level::level_enum level) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<UpperLevel>('*').set_pattern("%Y-%m-%d %H:%M:%S,%e [myid:" + myid +
                                                   "] - %* %v");
  spdlog::set_formatter(std::move(formatter));
  spdlog::set_level(level);
}

}  // namespace zk::log
