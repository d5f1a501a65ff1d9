// cli/format: zkCli's output formats (StatPrinter, Date.toString, ACL lines, error texts,
// WatchedEvent.toString, PathUtils.validatePath), pinned against Apache zkCli.sh 3.8 output.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <string>
#include <utility>

#include "cli/format.h"

namespace zkops::cli {
namespace {

using zk::proto::Acl;
using zk::proto::ErrorCode;
using zk::proto::EventType;
using zk::proto::KeeperState;

// Sets TZ for one test and restores it.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    const char* old = getenv("TZ");
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTz() {
    if (had_) {
      setenv("TZ", old_.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  bool had_ = false;
  std::string old_;
};

TEST(CliJavaDate, EpochInUtc) {
  ScopedTz tz("UTC");
  EXPECT_EQ(JavaDate(0), "Thu Jan 01 00:00:00 UTC 1970");
}

TEST(CliJavaDate, LocalZoneAbbreviationAndDaylightSaving) {
  // The seed's timestamp, Thu Dec 03 20:21:43 CST 2015 (China Standard Time, UTC+8).
  ScopedTz tz("CST-8");
  EXPECT_EQ(JavaDate(1449145303000LL), "Thu Dec 03 20:21:43 CST 2015");
  ScopedTz ny("America/New_York");
  EXPECT_EQ(JavaDate(1436000000000LL), "Sat Jul 04 04:53:20 EDT 2015");
  EXPECT_EQ(JavaDate(1449145303000LL), "Thu Dec 03 07:21:43 EST 2015");
}

TEST(CliJavaDate, NumericZonesPrintLikeJava) {
  ScopedTz tz("<+0530>-5:30");  // glibc abbreviation "+0530"; Java says GMT+05:30
  EXPECT_EQ(JavaDate(0), "Thu Jan 01 05:30:00 GMT+05:30 1970");
}

TEST(CliJavaDate, MillisecondsRoundDownEvenBeforeTheEpoch) {
  ScopedTz tz("UTC");
  EXPECT_EQ(JavaDate(999), "Thu Jan 01 00:00:00 UTC 1970");
  EXPECT_EQ(JavaDate(-1), "Wed Dec 31 23:59:59 UTC 1969");
}

TEST(CliStat, PrintsElevenLinesLikeStatPrinter) {
  ScopedTz tz("UTC");
  zk::proto::Stat s;
  s.czxid = 0x100000009;
  s.mzxid = 0x10000000a;
  s.pzxid = 0x100000009;
  s.ctime = 0;
  s.mtime = 1000;
  s.version = 2;
  s.cversion = 1;
  s.aversion = 3;
  s.ephemeral_owner = 0x51679e16b90001;
  s.data_length = 4;
  s.num_children = 5;
  EXPECT_EQ(FormatStat(s),
            "cZxid = 0x100000009\n"
            "ctime = Thu Jan 01 00:00:00 UTC 1970\n"
            "mZxid = 0x10000000a\n"
            "mtime = Thu Jan 01 00:00:01 UTC 1970\n"
            "pZxid = 0x100000009\n"
            "cversion = 1\n"
            "dataVersion = 2\n"
            "aclVersion = 3\n"
            "ephemeralOwner = 0x51679e16b90001\n"
            "dataLength = 4\n"
            "numChildren = 5\n");
  zk::proto::Stat zero;
  zero.czxid = -1;  // Long.toHexString is unsigned
  EXPECT_EQ(FormatStat(zero).substr(0, 27), "cZxid = 0xffffffffffffffff\n");
}

TEST(CliAcl, PermStringOrderIsCdrwa) {
  EXPECT_EQ(PermString(31), "cdrwa");
  EXPECT_EQ(PermString(zk::proto::kPermRead), "r");
  EXPECT_EQ(PermString(zk::proto::kPermWrite | zk::proto::kPermAdmin), "wa");
  EXPECT_EQ(PermString(0), "");
}

TEST(CliAcl, EntryIsJuteCsvIdThenPerms) {
  EXPECT_EQ(FormatAclEntry(Acl{31, {"world", "anyone"}}), "'world,'anyone\n: cdrwa\n");
  EXPECT_EQ(FormatAclEntry(Acl{1, {"digest", "user1:GMJqCvSAmNfv41XqBotWHO0HsNc="}}),
            "'digest,'user1:GMJqCvSAmNfv41XqBotWHO0HsNc=\n: r\n");
  EXPECT_EQ(FormatAclEntry(Acl{1, {"ip", "a,b%}"}}), "'ip,'a%2Cb%25%7D\n: r\n");
}

TEST(CliAcl, ParseLikeAclParser) {
  std::vector<std::string> warn;
  auto acl = ParseAcl("digest:user1:GMJqCvSAmNfv41XqBotWHO0HsNc=:cdrwa,world:anyone:r", &warn);
  ASSERT_EQ(acl.size(), 2u);
  EXPECT_EQ(acl[0], (Acl{31, {"digest", "user1:GMJqCvSAmNfv41XqBotWHO0HsNc="}}));
  EXPECT_EQ(acl[1], (Acl{1, {"world", "anyone"}}));
  EXPECT_TRUE(warn.empty());
  acl = ParseAcl("garbage,ip:1.2.3.4:rx", &warn);
  ASSERT_EQ(acl.size(), 1u);
  EXPECT_EQ(acl[0], (Acl{1, {"ip", "1.2.3.4"}}));
  EXPECT_EQ(warn, (std::vector<std::string>{"garbage does not have the form scheme:id:perm",
                                            "Unknown perm type: x"}));
}

TEST(CliErrors, KeeperAndCliWrapperMessages) {
  EXPECT_EQ(KeeperMessage(ErrorCode::kInvalidAcl, "/badacl"),
            "KeeperErrorCode = InvalidACL for /badacl");
  EXPECT_EQ(KeeperMessage(ErrorCode::kInvalidAcl, std::nullopt), "KeeperErrorCode = InvalidACL");
  EXPECT_EQ(KeeperMessage(ErrorCode::kNotEmpty, "/x"),
            "KeeperErrorCode = Directory not empty for /x");
  EXPECT_EQ(KeeperMessage(ErrorCode::kConnectionLoss, "/"),
            "KeeperErrorCode = ConnectionLoss for /");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNoNode, "/x"), "Node does not exist: /x");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNodeExists, "/x"), "Node already exists: /x");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kBadVersion, "/x"), "version No is not valid : /x");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNotEmpty, "/x"), "Node not empty: /x");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNoAuth, "/x"), "Insufficient permission : /x");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNoChildrenForEphemerals, "/e/c"),
            "Ephemerals cannot have children: /e/c");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kInvalidAcl, std::nullopt), "Acl is not valid : null");
  EXPECT_EQ(CliErrorMessage(ErrorCode::kNoWatcher, "/p"),
            "KeeperErrorCode = No such watcher for /p");
}

// KeeperException.getCodeMessage for every code, as zkCli.sh prints it: the code's name
// where Java uses it, its own text elsewhere, "Unknown error <name|number>" otherwise.
TEST(CliErrors, CodeMessageForEveryCode) {
  const std::pair<ErrorCode, const char*> kWant[] = {
      {ErrorCode::kOk, "ok"},
      {ErrorCode::kSystemError, "SystemError"},
      {ErrorCode::kRuntimeInconsistency, "RuntimeInconsistency"},
      {ErrorCode::kDataInconsistency, "DataInconsistency"},
      {ErrorCode::kConnectionLoss, "ConnectionLoss"},
      {ErrorCode::kMarshallingError, "MarshallingError"},
      {ErrorCode::kUnimplemented, "Unimplemented"},
      {ErrorCode::kOperationTimeout, "OperationTimeout"},
      {ErrorCode::kBadArguments, "BadArguments"},
      {ErrorCode::kUnknownSession, "Unknown error UNKNOWNSESSION"},
      {ErrorCode::kNewConfigNoQuorum, "NewConfigNoQuorum"},
      {ErrorCode::kReconfigInProgress, "ReconfigInProgress"},
      {ErrorCode::kApiError, "APIError"},
      {ErrorCode::kNoNode, "NoNode"},
      {ErrorCode::kNoAuth, "NoAuth"},
      {ErrorCode::kBadVersion, "BadVersion"},
      {ErrorCode::kNoChildrenForEphemerals, "NoChildrenForEphemerals"},
      {ErrorCode::kNodeExists, "NodeExists"},
      {ErrorCode::kNotEmpty, "Directory not empty"},
      {ErrorCode::kSessionExpired, "Session expired"},
      {ErrorCode::kInvalidCallback, "Invalid callback"},
      {ErrorCode::kInvalidAcl, "InvalidACL"},
      {ErrorCode::kAuthFailed, "AuthFailed"},
      {ErrorCode::kSessionMoved, "Session moved"},
      {ErrorCode::kNotReadOnly, "Not a read-only call"},
      {ErrorCode::kEphemeralOnLocalSession, "Ephemeral node on local session"},
      {ErrorCode::kNoWatcher, "No such watcher"},
      {ErrorCode::kRequestTimeout, "Unknown error REQUESTTIMEOUT"},
      {ErrorCode::kReconfigDisabled, "Reconfig is disabled"},
      {ErrorCode::kSessionClosedRequireSaslAuth,
       "Session closed because client failed to authenticate"},
      {ErrorCode::kQuotaExceeded, "Quota has exceeded"},
      {ErrorCode::kThrottledOp, "Op throttled due to high load"},
      {static_cast<ErrorCode>(-9), "Unknown error -9"},
      {static_cast<ErrorCode>(-126), "Unknown error -126"},
  };
  for (const auto& [code, text] : kWant) {
    EXPECT_EQ(CodeMessage(code), text) << static_cast<int>(code);
  }
}

TEST(CliEvents, WatchedEventToString) {
  EXPECT_EQ(FormatEvent(KeeperState::kSyncConnected, EventType::kNone, std::nullopt),
            "WatchedEvent state:SyncConnected type:None path:null");
  EXPECT_EQ(FormatEvent(KeeperState::kSyncConnected, EventType::kNodeDataChanged, "/x"),
            "WatchedEvent state:SyncConnected type:NodeDataChanged path:/x");
  EXPECT_EQ(FormatEvent(KeeperState::kDisconnected, EventType::kPersistentWatchRemoved, "/p"),
            "WatchedEvent state:Disconnected type:PersistentWatchRemoved path:/p");
  EXPECT_EQ(FormatEvent(KeeperState::kExpired, EventType::kNone, std::nullopt),
            "WatchedEvent state:Expired type:None path:null");
}

TEST(CliPaths, ValidatePathTexts) {
  EXPECT_EQ(ValidatePath("/"), std::nullopt);
  EXPECT_EQ(ValidatePath("/a/b.c/..d"), std::nullopt);
  EXPECT_EQ(ValidatePath("noslash"), "Path must start with / character");
  EXPECT_EQ(ValidatePath(""), "Path length must be > 0");
  EXPECT_EQ(ValidatePath("/a/"), "Path must not end with / character");
  EXPECT_EQ(ValidatePath("/a//b"),
            "Invalid path string \"/a//b\" caused by empty node name "
            "specified @3");
  EXPECT_EQ(ValidatePath("/a/./b"),
            "Invalid path string \"/a/./b\" caused by relative paths "
            "not allowed @3");
  EXPECT_EQ(ValidatePath("/a/.."),
            "Invalid path string \"/a/..\" caused by relative paths not "
            "allowed @4");
  EXPECT_EQ(ValidatePath(std::string("/a\x01", 3)),
            "Invalid path string \"/a\x01\" caused by invalid character @2");
  // Sequential creates validate path + "1", so a trailing slash is allowed there.
  EXPECT_EQ(ValidatePath("/seq/", true), std::nullopt);
}

TEST(CliLists, JavaListToString) {
  EXPECT_EQ(JavaList({}), "[]");
  EXPECT_EQ(JavaList({"/defg/eph-0000000000", "/eph"}), "[/defg/eph-0000000000, /eph]");
}

TEST(CliConfig, ClientConfigString) {
  EXPECT_EQ(ClientConfigString("server.1=127.0.0.1:2888:3888:participant;0.0.0.0:2181\n"
                               "server.2=127.0.0.1:2889:3889:participant;2182\nversion=100000000"),
            "100000000 0.0.0.0:2181,0.0.0.0:2182");
}

}  // namespace
}  // namespace zkops::cli
