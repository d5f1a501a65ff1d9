// client/: the connect-string parser and the client-side watch table (ZKWatchManager rules:
// which events reach zkCli, what removewatches removes).
#include <gtest/gtest.h>

#include "client/watch_table.h"
#include "client/zk_client.h"

namespace zkops::client {
namespace {

using zk::proto::ErrorCode;
using zk::proto::EventType;

TEST(CliConnectString, HostsPortsAndChroot) {
  ConnectString cs;
  ASSERT_TRUE(ParseConnectString("localhost:2180,127.0.0.1:2181,[::1]:2182,h/app/x", &cs).ok());
  ASSERT_EQ(cs.hosts.size(), 4u);
  EXPECT_EQ(cs.hosts[0], (std::pair<std::string, int>{"localhost", 2180}));
  EXPECT_EQ(cs.hosts[2], (std::pair<std::string, int>{"::1", 2182}));
  EXPECT_EQ(cs.hosts[3], (std::pair<std::string, int>{"h", 2181}));
  EXPECT_EQ(cs.chroot, "/app/x");
  ASSERT_TRUE(ParseConnectString("h:1/", &cs).ok());
  EXPECT_EQ(cs.chroot, "");
  EXPECT_FALSE(ParseConnectString("h:notaport", &cs).ok());
  EXPECT_FALSE(ParseConnectString("", &cs).ok());
}

TEST(CliClientPaths, ChrootIsAddedAndRemoved) {
  ConnectString cs;
  ASSERT_TRUE(ParseConnectString("h:1/app", &cs).ok());
  ZkClient zk(cs, 30000, false, nullptr);
  EXPECT_EQ(zk.ServerPath("/"), "/app");
  EXPECT_EQ(zk.ServerPath("/a"), "/app/a");
  EXPECT_EQ(zk.ClientPath("/app"), "/");
  EXPECT_EQ(zk.ClientPath("/app/a"), "/a");
  EXPECT_EQ(zk.state(), State::kConnecting);
  zk.Close();
  EXPECT_EQ(zk.state(), State::kClosed);
  EXPECT_STREQ(StateName(State::kClosed), "CLOSED");
}

TEST(CliWatchTable, OneShotWatchesFireOnce) {
  WatchTable w;
  w.Register(WatchKind::kData, "/a", ErrorCode::kOk);
  w.Register(WatchKind::kData, "/b", ErrorCode::kNoNode);  // getData on a missing node: none
  w.Register(WatchKind::kExists, "/later", ErrorCode::kNoNode);
  w.Register(WatchKind::kChild, "/a", ErrorCode::kOk);
  EXPECT_TRUE(w.Materialize(EventType::kNodeDataChanged, "/a"));
  EXPECT_FALSE(w.Materialize(EventType::kNodeDataChanged, "/a"));
  EXPECT_FALSE(w.Materialize(EventType::kNodeDataChanged, "/b"));
  EXPECT_TRUE(w.Materialize(EventType::kNodeCreated, "/later"));
  EXPECT_TRUE(w.Materialize(EventType::kNodeChildrenChanged, "/a"));
  EXPECT_TRUE(w.empty());
  EXPECT_TRUE(w.Materialize(EventType::kNone, ""));  // connection events always
}

TEST(CliWatchTable, PersistentAndRecursiveWatchesStay) {
  WatchTable w;
  w.Register(WatchKind::kPersistentRecursive, "/w", ErrorCode::kOk);
  w.Register(WatchKind::kPersistent, "/p", ErrorCode::kOk);
  EXPECT_TRUE(w.Materialize(EventType::kNodeCreated, "/w/sub/x"));
  EXPECT_TRUE(w.Materialize(EventType::kNodeDeleted, "/w"));
  EXPECT_FALSE(w.Materialize(EventType::kNodeCreated, "/wx"));
  EXPECT_TRUE(w.Materialize(EventType::kNodeChildrenChanged, "/p"));
  EXPECT_FALSE(w.Materialize(EventType::kNodeCreated, "/p/c"));  // not recursive
  EXPECT_TRUE(w.has_persistent());
  zk::proto::SetWatchesRequest sw;
  w.FillSetWatches(&sw);
  EXPECT_EQ(sw.persistent_watches, std::vector<std::string>{"/p"});
  EXPECT_EQ(sw.persistent_recursive_watches, std::vector<std::string>{"/w"});
}

TEST(CliWatchTable, RemoveWatchesByType) {
  WatchTable w;
  w.Register(WatchKind::kPersistent, "/p", ErrorCode::kOk);
  w.Register(WatchKind::kData, "/d", ErrorCode::kOk);
  w.Register(WatchKind::kChild, "/d", ErrorCode::kOk);
  RemovedWatches rm;
  EXPECT_TRUE(w.Contains("/p", zk::proto::kWatcherTypeData));
  // -d on a persistent watch: contained, but only Any removes persistent watches.
  EXPECT_FALSE(w.Remove("/p", zk::proto::kWatcherTypeData, false, ErrorCode::kOk, &rm));
  EXPECT_TRUE(w.Remove("/p", zk::proto::kWatcherTypeAny, false, ErrorCode::kOk, &rm));
  EXPECT_TRUE(rm.persistent && !rm.data && !rm.child);
  // A server error keeps the watch unless -l (local).
  EXPECT_FALSE(
      w.Remove("/d", zk::proto::kWatcherTypeChildren, false, ErrorCode::kConnectionLoss, &rm));
  EXPECT_TRUE(
      w.Remove("/d", zk::proto::kWatcherTypeChildren, true, ErrorCode::kConnectionLoss, &rm));
  EXPECT_TRUE(rm.child && !rm.data);
  EXPECT_TRUE(w.Remove("/d", zk::proto::kWatcherTypeAny, false, ErrorCode::kOk, &rm));
  EXPECT_TRUE(rm.data && !rm.child);
  EXPECT_TRUE(w.empty());
}

}  // namespace
}  // namespace zkops::client
