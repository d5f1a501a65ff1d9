// zkCli's output formats, reproduced byte for byte (ZooKeeper 3.8 zkCli.sh, `cli/*.java`):
// stat blocks, java.util.Date.toString() timestamps, ACL lines, KeeperException and
// CliWrapperException messages, WatchedEvent.toString(), client-side path checks. Pure
// functions, no I/O: the unit tests pin every format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/records.h"

namespace zkops::cli {

// java.util.Date(ms).toString(): "EEE MMM dd HH:mm:ss zzz yyyy" in the local time zone
// (TZ), e.g. "Thu Jan 01 00:00:00 UTC 1970".
std::string JavaDate(int64_t epoch_ms);

// StatPrinter.print: eleven "name = value\n" lines (zxids and owner as 0x<hex>).
std::string FormatStat(const zk::proto::Stat& stat);

// ZKUtil.getPermString: "cdrwa" order.
std::string PermString(int32_t perms);

// getAcl's two lines per entry: Id.toString() (jute CSV: "'scheme,'id" + newline) then
// ": <perms>"; ends with a newline.
std::string FormatAclEntry(const zk::proto::Acl& acl);

// AclParser.parse: "scheme:id:perms[,...]". Entries without two colons are skipped with
// "<entry> does not have the form scheme:id:perm"; unknown perm letters give
// "Unknown perm type: <c>" (both appended to *warnings, which zkCli prints on stderr).
std::vector<zk::proto::Acl> ParseAcl(const std::string& text, std::vector<std::string>* warnings);

// KeeperException.getMessage(): "KeeperErrorCode = <text>[ for <path>]".
std::string KeeperMessage(zk::proto::ErrorCode code, const std::optional<std::string>& path);
// KeeperException.getCodeMessage: "NoNode", "Directory not empty", ...
std::string CodeMessage(zk::proto::ErrorCode code);
// CliWrapperException's message for a failed call: "Node does not exist: /x",
// "version No is not valid : /x", ... or KeeperMessage for the codes it does not map.
std::string CliErrorMessage(zk::proto::ErrorCode code, const std::optional<std::string>& path);

// WatchedEvent.toString(): "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x"
// ("path:null" for connection-state events).
std::string FormatEvent(zk::proto::KeeperState state, zk::proto::EventType type,
                        const std::optional<std::string>& path);
const char* KeeperStateName(zk::proto::KeeperState s);
const char* EventTypeName(zk::proto::EventType t);

// java.util.List.toString(): "[a, b, c]".
std::string JavaList(const std::vector<std::string>& items);

// PathUtils.validatePath (the Java client checks every path before sending). `sequential`
// validates path + "1" as ZooKeeper.create does. Returns the IllegalArgumentException text,
// or nothing when the path is valid.
std::optional<std::string> ValidatePath(const std::string& path, bool sequential = false);

// ConfigUtils.getClientConfigStr (config -c): "<version hex> host:port,host:port".
std::string ClientConfigString(const std::string& config);

}  // namespace zkops::cli
