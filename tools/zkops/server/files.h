// The files zkops keeps for one server instance: the pidfile (zkServer.sh's
// <dataDir>/zookeeper_server.pid, same name and format so either tool can read it) and the
// console log whose tail explains a failed start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "zk/status.h"

namespace zkops::server {

// Reads a pid. NotFound if the file is absent; Corruption if it does not hold a positive
// integer (surrounding whitespace allowed: zkServer.sh writes none, we write a newline).
zk::Status ReadPidFile(const std::string& path, pid_t* pid);

// Writes "<pid>\n" atomically: a temp file in the same directory, fsync, rename. A reader
// never sees a half-written pidfile.
zk::Status WritePidFile(const std::string& path, pid_t pid);

// Removes the pidfile only if it still names `pid` (a start that raced us may have replaced
// it). OK if it is already gone.
zk::Status RemovePidFileIf(const std::string& path, pid_t pid);

// `mkdir -p`. OK if it exists.
zk::Status MakeDirs(const std::string& path);

// The last `max_lines` lines of `path`, reading only bytes at or after `from_offset` (the
// size of the log before this start, so an old run's lines never explain a new failure).
// At most the last 64 KiB are read. Empty if the file cannot be read.
std::vector<std::string> TailLines(const std::string& path, uint64_t from_offset,
                                   size_t max_lines);

}  // namespace zkops::server
