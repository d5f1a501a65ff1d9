// How `zkops status` prints an EnsembleStatus: an aligned table plus the verdict for people,
// a JSON object (Poco::JSON) with the same facts and each server's raw fields for scripts.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "status/report.h"

namespace zkops::status {

// The table (one row per server, "-" for unknown cells), then "verdict: ..." and any notes.
std::string RenderTable(const EnsembleStatus& status);

// {"verdict", "exit_code", "summary", "quorum": {...}, "leader", "notes", "servers": [...]};
// see `zkops status --help` for the members. Each server carries "raw": {"srvr", "mntr",
// "conf"} with the fields as the server sent them.
Poco::JSON::Object::Ptr ToJson(const EnsembleStatus& status);

// ToJson stringified: indented (indent 2) or on one line (indent 0, for --watch --json).
std::string RenderJson(const EnsembleStatus& status, unsigned indent);

}  // namespace zkops::status
