// Names for logs, `cons` and `dump`: op names as Request.op2String spells them, error names
// as KeeperException.Code (protocol.md §2.2, §2.7).
#include <string>
#include <utility>

#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

namespace {

constexpr std::pair<OpCode, const char*> kOpNames[] = {
    {OpCode::kNotification, "notification"},
    {OpCode::kCreate, "create"},
    {OpCode::kDelete, "delete"},
    {OpCode::kExists, "exists"},
    {OpCode::kGetData, "getData"},
    {OpCode::kSetData, "setData"},
    {OpCode::kGetAcl, "getACL"},
    {OpCode::kSetAcl, "setACL"},
    {OpCode::kGetChildren, "getChildren"},
    {OpCode::kSync, "sync"},
    {OpCode::kPing, "ping"},
    {OpCode::kGetChildren2, "getChildren2"},
    {OpCode::kCheck, "check"},
    {OpCode::kMulti, "multi"},
    {OpCode::kCreate2, "create2"},
    {OpCode::kReconfig, "reconfig"},
    {OpCode::kCheckWatches, "checkWatches"},
    {OpCode::kRemoveWatches, "removeWatches"},
    {OpCode::kCreateContainer, "createContainer"},
    {OpCode::kDeleteContainer, "deleteContainer"},
    {OpCode::kCreateTtl, "createTtl"},
    {OpCode::kMultiRead, "multiRead"},
    {OpCode::kAuth, "auth"},
    {OpCode::kSetWatches, "setWatches"},
    {OpCode::kSasl, "sasl"},
    {OpCode::kGetEphemerals, "getEphemerals"},
    {OpCode::kGetAllChildrenNumber, "getAllChildrenNumber"},
    {OpCode::kSetWatches2, "setWatches2"},
    {OpCode::kAddWatch, "addWatch"},  // op2String has no name for it; ours
    {OpCode::kWhoAmI, "whoAmI"},
    {OpCode::kCreateSession, "createSession"},
    {OpCode::kCloseSession, "closeSession"},
    {OpCode::kError, "error"},
};

constexpr std::pair<ErrorCode, const char*> kErrorNames[] = {
    {ErrorCode::kOk, "Ok"},
    {ErrorCode::kSystemError, "SystemError"},
    {ErrorCode::kRuntimeInconsistency, "RuntimeInconsistency"},
    {ErrorCode::kDataInconsistency, "DataInconsistency"},
    {ErrorCode::kConnectionLoss, "ConnectionLoss"},
    {ErrorCode::kMarshallingError, "MarshallingError"},
    {ErrorCode::kUnimplemented, "Unimplemented"},
    {ErrorCode::kOperationTimeout, "OperationTimeout"},
    {ErrorCode::kBadArguments, "BadArguments"},
    {ErrorCode::kUnknownSession, "UnknownSession"},
    {ErrorCode::kNewConfigNoQuorum, "NewConfigNoQuorum"},
    {ErrorCode::kReconfigInProgress, "ReconfigInProgress"},
    {ErrorCode::kApiError, "APIError"},
    {ErrorCode::kNoNode, "NoNode"},
    {ErrorCode::kNoAuth, "NoAuth"},
    {ErrorCode::kBadVersion, "BadVersion"},
    {ErrorCode::kNoChildrenForEphemerals, "NoChildrenForEphemerals"},
    {ErrorCode::kNodeExists, "NodeExists"},
    {ErrorCode::kNotEmpty, "NotEmpty"},
    {ErrorCode::kSessionExpired, "SessionExpired"},
    {ErrorCode::kInvalidCallback, "InvalidCallback"},
    {ErrorCode::kInvalidAcl, "InvalidACL"},
    {ErrorCode::kAuthFailed, "AuthFailed"},
    {ErrorCode::kSessionMoved, "SessionMoved"},
    {ErrorCode::kNotReadOnly, "NotReadOnly"},
    {ErrorCode::kEphemeralOnLocalSession, "EphemeralOnLocalSession"},
    {ErrorCode::kNoWatcher, "NoWatcher"},
    {ErrorCode::kRequestTimeout, "RequestTimeout"},
    {ErrorCode::kReconfigDisabled, "ReconfigDisabled"},
    {ErrorCode::kSessionClosedRequireSaslAuth, "SessionClosedRequireSaslAuth"},
    {ErrorCode::kQuotaExceeded, "QuotaExceeded"},
    {ErrorCode::kThrottledOp, "ThrottledOp"},
};

template <typename Code, size_t N>
const char* Lookup(const std::pair<Code, const char*> (&table)[N], Code c, const char* unknown) {
  for (const auto& [code, name] : table) {
    if (code == c) return name;
  }
  return unknown;
}

}  // namespace

const char* OpName(OpCode op) { return Lookup(kOpNames, op, "unknown"); }

const char* ErrorName(ErrorCode code) { return Lookup(kErrorNames, code, "Unknown"); }

namespace internal {

std::string OpLabel(int32_t type) {
  return std::string(OpName(static_cast<OpCode>(type))) + " (" + std::to_string(type) + ")";
}

}  // namespace internal

}  // namespace zk::proto
