// Malformed peer frames: each closes the link it came on, never the server, and the ensemble
// keeps working. Frames are written by hand here (the plugin's codec is not linked).
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "ensemble.h"

namespace zk::raft_test {
namespace {

class Recorder final : public ConnectionHandler {
 public:
  void OnOpen(ConnId, const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    opened_ = true;
  }
  void OnData(ConnId, const uint8_t*, size_t) override {}
  void OnClosed(ConnId, const std::string& error) override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    error_ = error;
  }
  bool opened() {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  bool opened_ = false;
  bool closed_ = false;
  std::string error_;
};

std::string Be(uint64_t v, int n) {  // n <= 8
  std::string out;
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  return out;
}
std::string Frame(uint8_t type, const std::string& body) {
  return Be(body.size() + 1, 4) + static_cast<char>(type) + body;
}
std::string Hello(uint64_t from, uint64_t to, uint8_t channel = 1, uint16_t version = 1,
                  uint32_t magic = 0x5a4b5246) {
  return Frame(
      0, Be(magic, 4) + Be(version, 2) + static_cast<char>(channel) + Be(from, 8) + Be(to, 8));
}

struct Case {
  const char* name;
  bool election_port;
  std::string bytes;
};

TEST(RaftWireTest, MalformedFramesCloseTheLinkAndNothingElse) {
  Ensemble e(Options{});
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int target = (leader + 1) % 3;  // a follower
  const uint64_t me = target + 1;       // its raft id
  const uint64_t peer = leader + 1;     // a raft id it knows
  const uint64_t term = e.node(leader).election->Stats().term;

  const std::string ae_header = Be(term, 8) + Be(0, 8) + Be(0, 8) + Be(0, 8);
  const std::vector<Case> cases = {
      {"not our protocol", false, "GET / HTTP/1.0\r\n\r\n"},
      {"empty frame", false, Be(0, 4)},
      {"first frame is not a hello", false, Frame(3, Be(term, 8))},
      {"bad magic", false, Hello(peer, me, 1, 1, 0x12345678)},
      {"future wire version", false, Hello(peer, me, 1, 2)},
      {"hello for someone else", false, Hello(peer, 77)},
      {"hello from a stranger", false, Hello(99, me)},
      {"hello from itself", false, Hello(me, me)},
      {"hello for the election channel on the quorum port", false, Hello(peer, me, 2)},
      {"truncated hello", false, Frame(0, Be(0x5a4b5246, 4) + Be(1, 2))},
      {"entry count beyond the frame", false,
       Hello(peer, me) + Frame(1, ae_header + Be(1000000, 4) + Be(term, 8))},
      {"entry of unknown type", false,
       Hello(peer, me) + Frame(1, ae_header + Be(1, 4) + Be(term, 8) + '\x09' + Be(0, 4))},
      {"entry longer than the frame", false,
       Hello(peer, me) + Frame(1, ae_header + Be(1, 4) + Be(term, 8) + '\x01' + Be(500, 4) + "x")},
      {"trailing bytes", false, Hello(peer, me) + Frame(1, ae_header + Be(0, 4) + "junk")},
      {"term zero", false,
       Hello(peer, me) + Frame(1, Be(0, 8) + Be(0, 8) + Be(0, 8) + Be(0, 8) + Be(0, 4))},
      {"RequestVote on the quorum port", false,
       Hello(peer, me) + Frame(3, Be(term + 5, 8) + Be(peer, 8) + Be(99, 8) + Be(1, 8) + '\x00')},
      {"vote for someone else", true,
       Hello(peer, me, 2) +
           Frame(3, Be(term + 5, 8) + Be(6 - me - peer, 8) + Be(99, 8) + Be(1, 8) + '\x00')},
      {"vote flags", true,
       Hello(peer, me, 2) +
           Frame(3, Be(term + 5, 8) + Be(peer, 8) + Be(99, 8) + Be(1, 8) + '\x80')},
      {"snapshot with a duplicate server", false,
       Hello(peer, me) +
           Frame(5, Be(term, 8) + Be(50, 8) + Be(term, 8) + Be(1, 8) + Be(2, 4) + Be(1, 8) +
                        '\x01' + Be(1, 2) + "a" + Be(1, 8) + '\x01' + Be(1, 2) + "b" + Be(0, 8))},
      {"snapshot data beyond the frame", false,
       Hello(peer, me) + Frame(5, Be(term, 8) + Be(50, 8) + Be(term, 8) + Be(1, 8) + Be(1, 4) +
                                      Be(1, 8) + '\x01' + Be(1, 2) + "a" + Be(1000, 8))},
      {"unknown frame type", false, Hello(peer, me) + Frame(99, "")},
      {"second hello", false, Hello(peer, me) + Hello(peer, me)},
      {"oversized frame", false, Hello(peer, me) + Be(0xffffffffu, 4)},
      {"proposal without payload", false, Hello(peer, me) + Frame(16, Be(1, 8))},
  };

  SimHost host(&e.sim(), "attacker", 99);
  e.sim().AddHost(&host);
  Status s;
  auto t = Plugins::Get().transport()->Create(
      PluginConfig(std::map<std::string, std::string>{{"name", "attacker"}}), &host, &s);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(t->Start().ok());
  const std::vector<PeerInfo> peers = e.Peers();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Recorder rec;
    const PeerInfo& p = peers[target];
    const ConnId id = t->Connect(c.election_port ? p.election : p.quorum, &rec);
    ASSERT_TRUE(e.sim().RunUntil([&] { return rec.opened(); }, 1000));
    t->Send(id, c.bytes);
    EXPECT_TRUE(e.sim().RunUntil([&] { return rec.closed(); }, 1000));
    EXPECT_EQ(e.node(target).election->role(), Role::kFollower);
  }
  const std::string log = e.node(target).host()->RecentLog();
  EXPECT_NE(log.find("peer speaks version 2"), std::string::npos) << log;
  EXPECT_NE(log.find("frame length 0 out of range"), std::string::npos) << log;

  // The ensemble never noticed: same leader, same term, and it commits.
  EXPECT_EQ(e.AwaitStableLeader(), leader);
  EXPECT_EQ(e.node(leader).election->Stats().term, term);
  ASSERT_TRUE(e.ProposeMany(target, "still-works-", 3)) << e.Dump();
  EXPECT_TRUE(e.AwaitApplied("still-works-2"));
  t->Stop();
  host.dead = true;
}

}  // namespace
}  // namespace zk::raft_test
