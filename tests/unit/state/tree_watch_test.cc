// DataTree triggers fed to the WatchManager, as the server wires them: the events a client
// sees for each write.
#include "state/watch_manager.h"
#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

using proto::EventType;

class TreeWatchTest : public TreeTest {
 protected:
  // Applies the triggers raised so far and returns (watcher, type, path) per event.
  std::vector<std::tuple<WatcherId, EventType, std::string>> Deliver() {
    std::vector<std::pair<WatcherId, proto::WatcherEvent>> events;
    for (const Trigger& t : triggers_) watches_.Trigger(t, &events);
    triggers_.clear();
    std::vector<std::tuple<WatcherId, EventType, std::string>> out;
    for (const auto& [w, e] : events) out.emplace_back(w, e.type, e.path);
    return out;
  }
  using Events = std::vector<std::tuple<WatcherId, EventType, std::string>>;
  WatchManager watches_;
};

TEST_F(TreeWatchTest, ExistsWatchOnMissingNodeFiresOnCreate) {
  watches_.AddDataWatch("/a", 1);  // exists("/a", watch) answered NoNode
  watches_.AddChildWatch("/", 2);
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  EXPECT_EQ(Deliver(), (Events{{1, EventType::kNodeCreated, "/a"},
                               {2, EventType::kNodeChildrenChanged, "/"}}));
  ASSERT_EQ(Create("/b"), ErrorCode::kOk);
  EXPECT_TRUE(Deliver().empty());  // one-shot
}

TEST_F(TreeWatchTest, DeleteNotifiesDataChildAndParentWatchers) {
  ASSERT_EQ(Create("/p"), ErrorCode::kOk);
  ASSERT_EQ(Create("/p/c", "x"), ErrorCode::kOk);
  triggers_.clear();
  watches_.AddDataWatch("/p/c", 1);   // getData
  watches_.AddChildWatch("/p/c", 2);  // getChildren
  watches_.AddChildWatch("/p", 1);
  ASSERT_EQ(Delete("/p/c"), ErrorCode::kOk);
  EXPECT_EQ(Deliver(), (Events{{1, EventType::kNodeDeleted, "/p/c"},
                               {2, EventType::kNodeDeleted, "/p/c"},
                               {1, EventType::kNodeChildrenChanged, "/p"}}));
  EXPECT_EQ(watches_.watch_count(), 0u);
}

TEST_F(TreeWatchTest, RecursiveWatchSeesTheSubtreeOfAMulti) {
  watches_.AddPersistentWatch("/m", 5, true);
  watches_.AddPersistentWatch("/m", 6, false);
  proto::ResponseBody resp;
  ASSERT_EQ(
      Write(Req(OpCode::kMulti, proto::MultiRequest{{MCreate("/m"), MCreate("/m/x"),
                                                     MSetData("/m/x", "d"), MDelete("/m/x")}}),
            &resp),
      ErrorCode::kOk);
  EXPECT_EQ(Deliver(), (Events{{5, EventType::kNodeCreated, "/m"},
                               {6, EventType::kNodeCreated, "/m"},
                               {5, EventType::kNodeCreated, "/m/x"},
                               {6, EventType::kNodeChildrenChanged, "/m"},
                               {5, EventType::kNodeDataChanged, "/m/x"},
                               {5, EventType::kNodeDeleted, "/m/x"},
                               {6, EventType::kNodeChildrenChanged, "/m"}}));
}

TEST_F(TreeWatchTest, FailedMultiAndSetAclRaiseNothing) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  triggers_.clear();
  watches_.AddDataWatch("/a", 1);
  watches_.AddChildWatch("/", 1);
  proto::ResponseBody resp;
  ASSERT_EQ(Write(Req(OpCode::kMulti,
                      proto::MultiRequest{{MSetData("/a", "x"), MCreate("/b"), MCheck("/a", 9)}}),
                  &resp),
            ErrorCode::kOk);
  ASSERT_EQ(SetAcl("/a", OpenAcl()), ErrorCode::kOk);
  EXPECT_TRUE(Deliver().empty());
  EXPECT_EQ(watches_.watch_count(), 2u);
}

TEST_F(TreeWatchTest, SessionExpiryNotifies) {
  ASSERT_EQ(Create("/lock", "", 1), ErrorCode::kOk);
  triggers_.clear();
  watches_.AddDataWatch("/lock", 3);
  tree_.KillSession(kSession, 50, 0, &triggers_);
  EXPECT_EQ(Deliver(), (Events{{3, EventType::kNodeDeleted, "/lock"}}));
}

}  // namespace
}  // namespace zk::state::testing
