// Logging for core code: spdlog, one process-wide logger writing to stderr (or the file
// zkops gives zknode's stderr). Plugins log through Host::Log instead.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace zk::log {

// Sets the pattern ZooKeeper operators know ("2026-11-25 16:20:00,123 [myid:1] - INFO  ...").
void Init(const std::string& myid, spdlog::level::level_enum level = spdlog::level::info);

}  // namespace zk::log
