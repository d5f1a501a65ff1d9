// WatchManager: ZooKeeper 3.8's triggerWatch rules, one-shot semantics, persistent and
// recursive watches, remove/check, the wchs/wchc/wchp views, and setWatches.
#include "state/watch_manager.h"

#include <gtest/gtest.h>

#include "state/set_watches.h"
#include "tree_helpers.h"

namespace zk::state {
namespace {

using proto::EventType;
using Events = std::vector<std::pair<WatcherId, proto::WatcherEvent>>;

std::vector<std::pair<WatcherId, EventType>> Fire(WatchManager* wm, const std::string& path,
                                                  EventType type) {
  Events out;
  wm->Trigger(Trigger{path, type}, &out);
  std::vector<std::pair<WatcherId, EventType>> got;
  for (const auto& [w, e] : out) {
    EXPECT_EQ(e.path, path);
    EXPECT_EQ(e.state, proto::KeeperState::kSyncConnected);
    got.emplace_back(w, e.type);
  }
  return got;
}

using Got = std::vector<std::pair<WatcherId, EventType>>;

TEST(WatchManager, DataWatchesAreOneShot) {
  WatchManager wm;
  wm.AddDataWatch("/a", 2);
  wm.AddDataWatch("/a", 1);
  wm.AddDataWatch("/a", 1);  // same watch twice is one watch
  EXPECT_EQ(wm.watch_count(), 2u);
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDataChanged),
            (Got{{1, EventType::kNodeDataChanged}, {2, EventType::kNodeDataChanged}}));
  EXPECT_TRUE(Fire(&wm, "/a", EventType::kNodeDataChanged).empty());
  EXPECT_EQ(wm.watch_count(), 0u);
}

TEST(WatchManager, WhichTableEachEventUses) {
  WatchManager wm;
  wm.AddDataWatch("/a", 1);
  wm.AddChildWatch("/a", 2);
  // NodeChildrenChanged only reaches child watches, NodeCreated/DataChanged only data watches.
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeChildrenChanged),
            (Got{{2, EventType::kNodeChildrenChanged}}));
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeCreated), (Got{{1, EventType::kNodeCreated}}));
  EXPECT_EQ(wm.watch_count(), 0u);
  // NodeDeleted reaches both, once per watcher.
  wm.AddDataWatch("/b", 1);
  wm.AddChildWatch("/b", 1);
  wm.AddChildWatch("/b", 3);
  EXPECT_EQ(Fire(&wm, "/b", EventType::kNodeDeleted),
            (Got{{1, EventType::kNodeDeleted}, {3, EventType::kNodeDeleted}}));
  EXPECT_EQ(wm.watch_count(), 0u);  // both of watcher 1's watches were consumed
  // Other paths and parents are not touched by standard watches.
  wm.AddDataWatch("/c", 1);
  EXPECT_TRUE(Fire(&wm, "/c/d", EventType::kNodeCreated).empty());
  EXPECT_TRUE(Fire(&wm, "/", EventType::kNodeDataChanged).empty());
  EXPECT_EQ(wm.watch_count(), 1u);
}

TEST(WatchManager, CreateDeleteSequenceOrder) {
  // What a delete of /p/c raises, fed in DataTree's order.
  WatchManager wm;
  wm.AddDataWatch("/p/c", 7);
  wm.AddChildWatch("/p", 7);
  Events out;
  wm.Trigger(Trigger{"/p/c", EventType::kNodeDeleted}, &out);
  wm.Trigger(Trigger{"/p", EventType::kNodeChildrenChanged}, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].second.type, EventType::kNodeDeleted);
  EXPECT_EQ(out[0].second.path, "/p/c");
  EXPECT_EQ(out[1].second.type, EventType::kNodeChildrenChanged);
  EXPECT_EQ(out[1].second.path, "/p");
}

TEST(WatchManager, PersistentWatchGetsEveryTypeAndStays) {
  WatchManager wm;
  wm.AddPersistentWatch("/a", 1, false);
  EXPECT_EQ(wm.watch_count(), 2u);  // one entry in each table, like ZooKeeper
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDataChanged),
              (Got{{1, EventType::kNodeDataChanged}}));
    EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeChildrenChanged),
              (Got{{1, EventType::kNodeChildrenChanged}}));
    EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeCreated), (Got{{1, EventType::kNodeCreated}}));
    EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDeleted), (Got{{1, EventType::kNodeDeleted}}));
  }
  EXPECT_TRUE(Fire(&wm, "/a/b", EventType::kNodeCreated).empty());  // not recursive
  EXPECT_EQ(wm.watch_count(), 2u);
}

TEST(WatchManager, PersistentAndOneShotCoexist) {
  WatchManager wm;
  wm.AddPersistentWatch("/a", 1, false);
  wm.AddDataWatch("/a", 1);  // getData(watch=true) after addWatch
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDataChanged), (Got{{1, EventType::kNodeDataChanged}}));
  // The persistent watch still fires (ZooKeeper 3.8 lost it here: ZOOKEEPER-4466).
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDataChanged), (Got{{1, EventType::kNodeDataChanged}}));
}

TEST(WatchManager, RecursiveWatchCoversTheSubtreeButNotChildEvents) {
  WatchManager wm;
  wm.AddPersistentWatch("/a", 1, true);
  wm.AddPersistentWatch("/", 2, true);
  EXPECT_EQ(Fire(&wm, "/a/b/c", EventType::kNodeCreated),
            (Got{{1, EventType::kNodeCreated}, {2, EventType::kNodeCreated}}));
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDataChanged),
            (Got{{1, EventType::kNodeDataChanged}, {2, EventType::kNodeDataChanged}}));
  EXPECT_EQ(Fire(&wm, "/ab", EventType::kNodeDeleted), (Got{{2, EventType::kNodeDeleted}}));
  EXPECT_EQ(Fire(&wm, "/a/b", EventType::kNodeDeleted),
            (Got{{1, EventType::kNodeDeleted}, {2, EventType::kNodeDeleted}}));
  EXPECT_TRUE(Fire(&wm, "/a", EventType::kNodeChildrenChanged).empty());
  EXPECT_TRUE(Fire(&wm, "/a/b", EventType::kNodeChildrenChanged).empty());
  EXPECT_EQ(wm.watch_count(), 4u);
}

TEST(WatchManager, OneEventPerWatcherPerTrigger) {
  WatchManager wm;
  wm.AddPersistentWatch("/", 1, true);
  wm.AddPersistentWatch("/a", 1, true);
  wm.AddDataWatch("/a/b", 1);
  wm.AddChildWatch("/a/b", 1);
  EXPECT_EQ(Fire(&wm, "/a/b", EventType::kNodeDeleted), (Got{{1, EventType::kNodeDeleted}}));
  EXPECT_EQ(wm.watch_count(), 4u);  // the two one-shots are gone
}

TEST(WatchManager, RemoveAndCheckWatches) {
  WatchManager wm;
  wm.AddDataWatch("/d", 1);
  wm.AddChildWatch("/c", 1);
  wm.AddPersistentWatch("/p", 1, false);
  wm.AddDataWatch("/d", 2);
  // check (remove=false) does not change anything.
  EXPECT_TRUE(wm.RemoveWatches("/d", proto::kWatcherTypeData, 1, false));
  EXPECT_FALSE(wm.RemoveWatches("/d", proto::kWatcherTypeChildren, 1, false));
  EXPECT_TRUE(wm.RemoveWatches("/d", proto::kWatcherTypeAny, 1, false));
  EXPECT_FALSE(wm.RemoveWatches("/c", proto::kWatcherTypeData, 1, false));
  EXPECT_FALSE(wm.RemoveWatches("/d", proto::kWatcherTypeData, 3, false));  // another watcher
  EXPECT_TRUE(wm.RemoveWatches("/p", proto::kWatcherTypeData, 1, false));
  EXPECT_TRUE(wm.RemoveWatches("/p", proto::kWatcherTypeChildren, 1, false));
  EXPECT_FALSE(wm.RemoveWatches("/d", 9, 1, false));
  EXPECT_EQ(wm.watch_count(), 5u);
  // remove.
  EXPECT_TRUE(wm.RemoveWatches("/d", proto::kWatcherTypeData, 1, true));
  EXPECT_FALSE(wm.RemoveWatches("/d", proto::kWatcherTypeData, 1, true));
  EXPECT_EQ(Fire(&wm, "/d", EventType::kNodeDataChanged), (Got{{2, EventType::kNodeDataChanged}}));
  // Removing the data half of a persistent watch leaves the child half.
  EXPECT_TRUE(wm.RemoveWatches("/p", proto::kWatcherTypeData, 1, true));
  EXPECT_TRUE(Fire(&wm, "/p", EventType::kNodeDataChanged).empty());
  EXPECT_EQ(Fire(&wm, "/p", EventType::kNodeChildrenChanged),
            (Got{{1, EventType::kNodeChildrenChanged}}));
  EXPECT_TRUE(wm.RemoveWatches("/p", proto::kWatcherTypeAny, 1, true));
  EXPECT_TRUE(wm.RemoveWatches("/c", proto::kWatcherTypeAny, 1, true));
  EXPECT_EQ(wm.watch_count(), 0u);
}

TEST(WatchManager, RemoveWatcherDropsEverything) {
  WatchManager wm;
  wm.AddDataWatch("/a", 1);
  wm.AddChildWatch("/b", 1);
  wm.AddPersistentWatch("/", 1, true);
  wm.AddDataWatch("/a", 2);
  wm.RemoveWatcher(1);
  EXPECT_EQ(wm.watch_count(), 1u);
  EXPECT_TRUE(Fire(&wm, "/x", EventType::kNodeCreated).empty());  // no recursive left
  EXPECT_EQ(Fire(&wm, "/a", EventType::kNodeDeleted), (Got{{2, EventType::kNodeDeleted}}));
  wm.RemoveWatcher(99);  // unknown: no-op
}

TEST(WatchManager, SummariesShowDataWatchesLikeZooKeeper) {
  WatchManager wm;
  wm.AddDataWatch("/a", 1);
  wm.AddDataWatch("/b", 1);
  wm.AddDataWatch("/a", 2);
  wm.AddChildWatch("/c", 3);  // not shown by wchs/wchc/wchp in ZooKeeper 3.8
  EXPECT_EQ(wm.watch_count(), 4u);
  EXPECT_EQ(wm.path_count(), 2u);
  EXPECT_EQ(wm.watcher_count(), 2u);
  EXPECT_EQ(wm.data_watch_count(), 3u);
  EXPECT_EQ(wm.ByWatcher(),
            (std::map<WatcherId, std::set<std::string>>{{1, {"/a", "/b"}}, {2, {"/a"}}}));
  EXPECT_EQ(wm.ByPath(), (std::map<std::string, std::set<WatcherId>>{{"/a", {1, 2}}, {"/b", {1}}}));
}

TEST(SetWatches, FiresMissedEventsAndRearmsTheRest) {
  using testing::CreateBody;
  using testing::Req;
  DataTree tree;
  std::vector<Trigger> triggers;
  proto::ResponseBody resp;
  auto apply = [&](proto::Request r, int64_t zxid) {
    TxnContext ctx;
    ctx.zxid = zxid;
    ASSERT_EQ(tree.ApplyWrite(r, ctx, &resp, &triggers), proto::ErrorCode::kOk);
  };
  apply(Req(proto::OpCode::kCreate, CreateBody("/old", "")), 1);
  apply(Req(proto::OpCode::kCreate, CreateBody("/new", "")), 5);
  apply(Req(proto::OpCode::kCreate, CreateBody("/old/kid", "")), 6);
  proto::SetWatchesRequest req;
  req.relative_zxid = 4;
  req.data_watches = {"/old", "/new", "/gone"};
  req.exist_watches = {"/new", "/missing"};
  req.child_watches = {"/old", "/new", "/gone"};
  req.persistent_recursive_watches = {"/r"};
  WatchManager wm;
  Events out;
  ApplySetWatches(tree, req, 9, &wm, &out);
  std::vector<std::pair<std::string, EventType>> got;
  for (const auto& [w, e] : out) {
    EXPECT_EQ(w, 9u);
    got.emplace_back(e.path, e.type);
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, EventType>>{
                     {"/new", EventType::kNodeDataChanged},
                     {"/gone", EventType::kNodeDeleted},
                     {"/new", EventType::kNodeCreated},
                     {"/old", EventType::kNodeChildrenChanged},  // pzxid 6 > 4
                     {"/new", EventType::kNodeChildrenChanged},  // a new node's pzxid is its czxid
                     {"/gone", EventType::kNodeDeleted}}));
  // Re-armed: data on /old, exist on /missing, recursive on /r (one entry per table).
  EXPECT_EQ(wm.watch_count(), 4u);
  EXPECT_EQ(Fire(&wm, "/missing", EventType::kNodeCreated), (Got{{9, EventType::kNodeCreated}}));
  EXPECT_EQ(Fire(&wm, "/r/x", EventType::kNodeCreated), (Got{{9, EventType::kNodeCreated}}));
}

}  // namespace
}  // namespace zk::state
