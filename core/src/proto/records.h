// ZooKeeper 3.8 wire records (reference/zookeeper.jute, reference/protocol.md §2).
// Plain structs, no sockets, no threads. Encoding lives in jute.h / codec.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace zk::proto {

// ZooDefs.OpCode (protocol.md §2.2).
enum class OpCode : int32_t {
  kNotification = 0,
  kCreate = 1,
  kDelete = 2,
  kExists = 3,
  kGetData = 4,
  kSetData = 5,
  kGetAcl = 6,
  kSetAcl = 7,
  kGetChildren = 8,
  kSync = 9,
  kPing = 11,
  kGetChildren2 = 12,
  kCheck = 13,
  kMulti = 14,
  kCreate2 = 15,
  kReconfig = 16,
  kCheckWatches = 17,
  kRemoveWatches = 18,
  kCreateContainer = 19,
  kDeleteContainer = 20,
  kCreateTtl = 21,
  kMultiRead = 22,
  kAuth = 100,
  kSetWatches = 101,
  kSasl = 102,
  kGetEphemerals = 103,
  kGetAllChildrenNumber = 104,
  kSetWatches2 = 105,
  kAddWatch = 106,
  kWhoAmI = 107,
  kCreateSession = -10,
  kCloseSession = -11,
  kError = -1,
};

// KeeperException.Code (protocol.md §2.7): the one enum of wire error codes.
enum class ErrorCode : int32_t {
  kOk = 0,
  kSystemError = -1,
  kRuntimeInconsistency = -2,
  kDataInconsistency = -3,
  kConnectionLoss = -4,
  kMarshallingError = -5,
  kUnimplemented = -6,
  kOperationTimeout = -7,
  kBadArguments = -8,
  kUnknownSession = -12,
  kNewConfigNoQuorum = -13,
  kReconfigInProgress = -14,
  kApiError = -100,
  kNoNode = -101,
  kNoAuth = -102,
  kBadVersion = -103,
  kNoChildrenForEphemerals = -108,
  kNodeExists = -110,
  kNotEmpty = -111,
  kSessionExpired = -112,
  kInvalidCallback = -113,
  kInvalidAcl = -114,
  kAuthFailed = -115,
  kSessionMoved = -118,
  kNotReadOnly = -119,
  kEphemeralOnLocalSession = -120,
  kNoWatcher = -121,
  kRequestTimeout = -122,
  kReconfigDisabled = -123,
  kSessionClosedRequireSaslAuth = -124,
  kQuotaExceeded = -125,
  kThrottledOp = -127,
};

// Special xids (protocol.md §2.3).
inline constexpr int32_t kNotificationXid = -1;
inline constexpr int32_t kPingXid = -2;
inline constexpr int32_t kAuthXid = -4;
inline constexpr int32_t kSetWatchesXid = -8;

// ZooDefs.Perms.
inline constexpr int32_t kPermRead = 1;
inline constexpr int32_t kPermWrite = 2;
inline constexpr int32_t kPermCreate = 4;
inline constexpr int32_t kPermDelete = 8;
inline constexpr int32_t kPermAdmin = 16;
inline constexpr int32_t kPermAll = 31;

// CreateMode flags (protocol.md §2.4).
enum class CreateMode : int32_t {
  kPersistent = 0,
  kEphemeral = 1,
  kPersistentSequential = 2,
  kEphemeralSequential = 3,
  kContainer = 4,
  kPersistentWithTtl = 5,
  kPersistentSequentialWithTtl = 6,
};

enum class EventType : int32_t {
  kNone = -1,
  kNodeCreated = 1,
  kNodeDeleted = 2,
  kNodeDataChanged = 3,
  kNodeChildrenChanged = 4,
  kDataWatchRemoved = 5,
  kChildWatchRemoved = 6,
  kPersistentWatchRemoved = 7,
};

enum class KeeperState : int32_t {
  kDisconnected = 0,
  kSyncConnected = 3,
  kAuthFailed = 4,
  kConnectedReadOnly = 5,
  kExpired = -112,
  kClosed = 7,
};

// AddWatchRequest.mode.
inline constexpr int32_t kAddWatchPersistent = 0;
inline constexpr int32_t kAddWatchPersistentRecursive = 1;
// CheckWatches/RemoveWatches type (WatcherType).
inline constexpr int32_t kWatcherTypeChildren = 1;
inline constexpr int32_t kWatcherTypeData = 2;
inline constexpr int32_t kWatcherTypeAny = 3;

struct Id {
  std::string scheme;
  std::string id;
  bool operator==(const Id&) const = default;
};

struct Acl {
  int32_t perms = 0;
  Id id;
  bool operator==(const Acl&) const = default;
};

struct Stat {  // 68 bytes on the wire
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;
  bool operator==(const Stat&) const = default;
};

struct ConnectRequest {
  int32_t protocol_version = 0;
  int64_t last_zxid_seen = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;
  std::optional<bool> read_only;  // present in the 45-byte form
};

struct ConnectResponse {
  int32_t protocol_version = 0;
  int32_t timeout_ms = 0;
  int64_t session_id = 0;
  std::string passwd;             // 16 bytes
  std::optional<bool> read_only;  // written only if the request carried it
};

struct RequestHeader {
  int32_t xid = 0;
  int32_t type = 0;
};

struct ReplyHeader {
  int32_t xid = 0;
  int64_t zxid = 0;
  int32_t err = 0;
};

// ---- Request bodies -------------------------------------------------------------------

// ops 1 (create), 15 (create2), 19 (createContainer), 21 (createTTL: ttl set)
struct CreateRequest {
  std::string path;
  std::string data;
  std::vector<Acl> acl;
  int32_t flags = 0;
  int64_t ttl = -1;  // only for createTTL
  bool data_null = false;  // data sent as a null buffer (length -1): ZooKeeper keeps it apart
};
struct DeleteRequest {  // ops 2, 20 (deleteContainer: version ignored)
  std::string path;
  int32_t version = -1;
};
struct PathWatchRequest {  // exists 3, getData 4, getChildren 8, getChildren2 12
  std::string path;
  bool watch = false;
};
struct SetDataRequest {  // 5
  std::string path;
  std::string data;
  int32_t version = -1;
  bool data_null = false;  // null buffer, as in CreateRequest
};
struct PathRequest {  // getACL 6, sync 9, getAllChildrenNumber 104, getEphemerals 103
  std::string path;
};
struct SetAclRequest {  // 7
  std::string path;
  std::vector<Acl> acl;
  int32_t version = -1;
};
struct CheckVersionRequest {  // 13
  std::string path;
  int32_t version = -1;
};
struct AuthPacket {  // 100
  int32_t type = 0;
  std::string scheme;
  std::string auth;
};
struct SetWatchesRequest {  // 101 (persistent lists empty), 105
  int64_t relative_zxid = 0;
  std::vector<std::string> data_watches;
  std::vector<std::string> exist_watches;
  std::vector<std::string> child_watches;
  std::vector<std::string> persistent_watches;
  std::vector<std::string> persistent_recursive_watches;
};
struct AddWatchRequest {  // 106
  std::string path;
  int32_t mode = 0;
};
struct WatchesRequest {  // checkWatches 17, removeWatches 18
  std::string path;
  int32_t type = 0;
};
struct ReconfigRequest {  // 16
  std::string joining_servers;
  std::string leaving_servers;
  std::string new_members;
  int64_t cur_config_id = -1;
};
struct EmptyRequest {};  // ping 11, closeSession -11, whoAmI 107

struct MultiOp;  // one op inside multi/multiRead
struct MultiRequest {  // 14, 22
  std::vector<MultiOp> ops;
};

using RequestBody = std::variant<EmptyRequest, CreateRequest, DeleteRequest, PathWatchRequest,
                                 SetDataRequest, PathRequest, SetAclRequest,
                                 CheckVersionRequest, AuthPacket, SetWatchesRequest,
                                 AddWatchRequest, WatchesRequest, ReconfigRequest, MultiRequest>;

struct MultiOp {
  OpCode type = OpCode::kError;
  // CreateRequest, DeleteRequest, SetDataRequest, CheckVersionRequest (multi);
  // PathWatchRequest (multiRead: getData / getChildren, watch ignored by ZooKeeper).
  std::variant<CreateRequest, DeleteRequest, SetDataRequest, CheckVersionRequest,
               PathWatchRequest>
      op;
};

struct Request {
  RequestHeader header;
  RequestBody body;
  OpCode op() const { return static_cast<OpCode>(header.type); }
};

// ---- Response bodies ------------------------------------------------------------------

struct EmptyResponse {};  // delete, sync-less ops, setWatches, addWatch, auth, ping, close
struct CreateResponse {   // create (op 1)
  std::string path;
};
struct Create2Response {  // create2 / createContainer / createTTL
  std::string path;
  Stat stat;
};
struct StatResponse {  // exists, setData, setACL
  Stat stat;
};
struct GetDataResponse {
  std::string data;
  Stat stat;
  bool data_null = false;  // written as length -1 (zkCli prints "null")
};
struct GetAclResponse {
  std::vector<Acl> acl;
  Stat stat;
};
struct GetChildrenResponse {
  std::vector<std::string> children;
};
struct GetChildren2Response {
  std::vector<std::string> children;
  Stat stat;
};
struct PathResponse {  // sync
  std::string path;
};
struct CountResponse {  // getAllChildrenNumber
  int32_t total = 0;
};
struct StringListResponse {  // getEphemerals
  std::vector<std::string> items;
};
struct ClientInfo {
  std::string auth_scheme;
  std::string user;
};
struct WhoAmIResponse {
  std::vector<ClientInfo> client_info;
};
struct ErrorResponse {  // addWatch success body is ErrorResponse{0}; multi error entries
  int32_t err = 0;
};

struct MultiResult;
struct MultiResponse {
  std::vector<MultiResult> results;
};

using ResponseBody =
    std::variant<EmptyResponse, CreateResponse, Create2Response, StatResponse, GetDataResponse,
                 GetAclResponse, GetChildrenResponse, GetChildren2Response, PathResponse,
                 CountResponse, StringListResponse, WhoAmIResponse, ErrorResponse,
                 MultiResponse>;

// One entry of a multi/multiRead response. type = the op's code, or -1 with an
// ErrorResponse body (protocol.md §2.6).
struct MultiResult {
  OpCode type = OpCode::kError;
  ErrorCode err = ErrorCode::kOk;
  std::variant<EmptyResponse, CreateResponse, Create2Response, StatResponse, GetDataResponse,
               GetChildrenResponse, ErrorResponse>
      body;
};

struct WatcherEvent {
  EventType type = EventType::kNone;
  KeeperState state = KeeperState::kSyncConnected;
  std::string path;
};

}  // namespace zk::proto
