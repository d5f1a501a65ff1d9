#include "common/log.h"

namespace zk::log {

void Init(const std::string& myid, spdlog::level::level_enum level) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S,%e [myid:" + myid + "] - %-5l %v");
  spdlog::set_level(level);
}

}  // namespace zk::log
