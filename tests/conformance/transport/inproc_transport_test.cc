// inproc-only checks: delivery on the receiving host's loop, the partition/delay/heal
// controls (through the library's exported aliases), fake ports, determinism.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../../plugins/transport/inproc/inproc_control.h"
#include "transport_test_util.h"

namespace zk::test {
namespace {

class InprocTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    factory_ = LoadTransportFactory("inproc");
    ASSERT_NE(factory_, nullptr);
    boost::dll::shared_library* lib = TransportLibrary("inproc");
    partition_ = &lib->get_alias<zk_inproc_partition_fn>("zk_inproc_partition");
    set_delay_ = &lib->get_alias<zk_inproc_set_delay_fn>("zk_inproc_set_delay");
    heal_ = &lib->get_alias<zk_inproc_heal_fn>("zk_inproc_heal");
    server_ = Create(&server_host_, "server");
    client_ = Create(&client_host_, "client");
    server_handler_.on_data = [this](ConnId id, const uint8_t* data, size_t len) {
      server_->Send(id, std::string(reinterpret_cast<const char*>(data), len));
    };
  }
  void TearDown() override {
    heal_();  // rules are process-wide: leave none behind
    if (client_) client_->Stop();
    if (server_) server_->Stop();
    EXPECT_EQ(server_handler_.violations(), "");
    EXPECT_EQ(client_handler_.violations(), "");
  }

  std::unique_ptr<Transport> Create(Host* host, const std::string& name) {
    Status status;
    auto t = factory_->Create(Config({{"name", name}}), host, &status);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_TRUE(t->Start().ok());
    return t;
  }
  uint16_t Listen(const std::string& host = "127.0.0.1") {
    uint16_t port = 0;
    Status s = server_->Listen({host, 0}, &server_handler_, &port);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return port;
  }
  ConnId Connect(uint16_t port) {
    ConnId id = client_->Connect({"127.0.0.1", port}, &client_handler_);
    EXPECT_TRUE(client_handler_.WaitUntil(
        [&] { return client_handler_.OpenedLocked(id) || client_handler_.ClosedLocked(id); }));
    return id;
  }

  TestHost server_host_;
  TestHost client_host_;
  RecordingHandler server_handler_;
  RecordingHandler client_handler_;
  TransportFactory* factory_ = nullptr;
  zk_inproc_partition_fn* partition_ = nullptr;
  zk_inproc_set_delay_fn* set_delay_ = nullptr;
  zk_inproc_heal_fn* heal_ = nullptr;
  std::unique_ptr<Transport> server_;
  std::unique_ptr<Transport> client_;
};

TEST_F(InprocTransportTest, CallbacksRunOnTheReceivingHostsLoop) {
  std::vector<std::thread::id> server_threads, client_threads;
  std::mutex mu;
  server_handler_.on_open = [&](ConnId, const std::string&) {
    std::lock_guard<std::mutex> lock(mu);
    server_threads.push_back(std::this_thread::get_id());
  };
  auto echo = server_handler_.on_data;
  server_handler_.on_data = [&, echo](ConnId id, const uint8_t* d, size_t n) {
    {
      std::lock_guard<std::mutex> lock(mu);
      server_threads.push_back(std::this_thread::get_id());
    }
    echo(id, d, n);
  };
  client_handler_.on_data = [&](ConnId, const uint8_t*, size_t) {
    std::lock_guard<std::mutex> lock(mu);
    client_threads.push_back(std::this_thread::get_id());
  };
  ConnId id = Connect(Listen());
  client_->Send(id, "ping");
  ASSERT_TRUE(client_handler_.WaitUntil([&] { return client_handler_.DataSizeLocked(id) >= 4; }));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(server_threads.size(), 2u);
  for (auto t : server_threads) EXPECT_EQ(t, server_host_.loop_thread_id());
  ASSERT_EQ(client_threads.size(), 1u);
  EXPECT_EQ(client_threads[0], client_host_.loop_thread_id());
}

TEST_F(InprocTransportTest, PartitionCutsConnectionsAndRefusesNewOnes) {
  uint16_t port = Listen();
  ConnId id = Connect(port);
  ASSERT_TRUE(client_handler_.Get(id).opened);
  ASSERT_TRUE(server_handler_.WaitUntil([&] { return server_handler_.OpenCountLocked() == 1; }));
  ConnId server_id = server_handler_.OpenOrder()[0];

  EXPECT_EQ(partition_("server", "client"), 1);
  ASSERT_TRUE(client_handler_.WaitUntil([&] { return client_handler_.ClosedLocked(id); }));
  ASSERT_TRUE(server_handler_.WaitUntil([&] { return server_handler_.ClosedLocked(server_id); }));
  EXPECT_NE(client_handler_.Get(id).error.find("partitioned"), std::string::npos);
  EXPECT_NE(server_handler_.Get(server_id).error.find("partitioned"), std::string::npos);

  ConnId refused = Connect(port);
  EXPECT_FALSE(client_handler_.Get(refused).opened);
  EXPECT_NE(client_handler_.Get(refused).error.find("partitioned"), std::string::npos);

  heal_();
  ConnId again = Connect(port);
  EXPECT_TRUE(client_handler_.Get(again).opened);
  client_->Send(again, "healed");
  EXPECT_TRUE(
      client_handler_.WaitUntil([&] { return client_handler_.DataSizeLocked(again) >= 6; }));
}

TEST_F(InprocTransportTest, PartitionByListeningEndpoint) {
  uint16_t port = Listen("0.0.0.0");  // a wildcard listener matches "127.0.0.1:port" too
  ConnId id = Connect(port);
  ASSERT_TRUE(client_handler_.Get(id).opened);
  // An unrelated pair of groups cuts nothing.
  EXPECT_EQ(partition_("127.0.0.1:1", "client"), 0);
  EXPECT_EQ(partition_(("localhost:" + std::to_string(port)).c_str(), "nobody, client"), 1);
  ASSERT_TRUE(client_handler_.WaitUntil([&] { return client_handler_.ClosedLocked(id); }));
}

TEST_F(InprocTransportTest, DelayFollowsTheReceivingHostsClock) {
  server_handler_.on_data = nullptr;  // record only
  uint16_t port = Listen();
  ConnId id = Connect(port);
  ASSERT_TRUE(server_handler_.WaitUntil([&] { return server_handler_.OpenCountLocked() == 1; }));
  ConnId server_id = server_handler_.OpenOrder()[0];

  ASSERT_EQ(set_delay_("client", "server", 100), 0);
  client_->Send(id, "a");
  ASSERT_TRUE(server_host_.WaitIdle());
  EXPECT_EQ(server_handler_.Get(server_id).data, "");
  server_host_.AdvanceMs(99);
  ASSERT_TRUE(server_host_.WaitIdle());
  EXPECT_EQ(server_handler_.Get(server_id).data, "");

  // Removing the delay must not let "b" overtake "a".
  ASSERT_EQ(set_delay_("server", "client", 0), 0);
  client_->Send(id, "b");
  ASSERT_TRUE(server_host_.WaitIdle());
  EXPECT_EQ(server_handler_.Get(server_id).data, "");
  server_host_.AdvanceMs(1);
  ASSERT_TRUE(server_host_.WaitIdle());
  EXPECT_EQ(server_handler_.Get(server_id).data, "ab");
  client_->Send(id, "c");
  ASSERT_TRUE(server_host_.WaitIdle());
  EXPECT_EQ(server_handler_.Get(server_id).data, "abc");
  EXPECT_EQ(set_delay_("a", "b", -1), -1);
}

TEST_F(InprocTransportTest, FakePortsAreUniqueAndWildcardsConflict) {
  uint16_t a = Listen("0.0.0.0");
  uint16_t b = Listen("127.0.0.1");
  EXPECT_NE(a, b);
  RecordingHandler other_handler;
  std::unique_ptr<Transport> other = Create(&client_host_, "other");
  uint16_t bound = 0;
  EXPECT_FALSE(other->Listen({"127.0.0.2", a}, &other_handler, &bound).ok())
      << "the wildcard listener already owns this port";
  EXPECT_FALSE(other->Listen({"", b}, &other_handler, &bound).ok());
  EXPECT_TRUE(other->Listen({"127.0.0.2", b}, &other_handler, &bound).ok());
  EXPECT_EQ(bound, b);
  uint16_t c = 0;
  EXPECT_TRUE(other->Listen({"127.0.0.1", 0}, &other_handler, &c).ok());
  EXPECT_NE(c, a);
  EXPECT_NE(c, b);
  other->Stop();
  // Stop frees the endpoints.
  EXPECT_TRUE(server_->Listen({"127.0.0.2", b}, &server_handler_, &bound).ok());
}

// Three nodes on ONE host: the order of every callback depends only on what the test does,
// so two runs of the same script produce the same trace.
std::vector<std::string> RunScript(TransportFactory* factory, zk_inproc_set_delay_fn* set_delay) {
  TestHost host;
  std::vector<std::string> trace;
  std::mutex mu;
  struct TracingHandler : ConnectionHandler {
    std::string node;
    std::vector<std::string>* trace;
    std::mutex* mu;
    Transport* self = nullptr;
    void Add(const std::string& s) {
      std::lock_guard<std::mutex> lock(*mu);
      trace->push_back(node + " " + s);
    }
    void OnOpen(ConnId id, const std::string&) override { Add("open " + std::to_string(id)); }
    void OnData(ConnId id, const uint8_t* d, size_t n) override {
      std::string s(reinterpret_cast<const char*>(d), n);
      Add("data " + std::to_string(id) + " " + s);
      if (node != "a") self->Send(id, node + ":" + s);
    }
    void OnClosed(ConnId id, const std::string& e) override {
      Add("closed " + std::to_string(id) + " " + e);
    }
  };
  TracingHandler ha, hb, hc;
  ha.node = "a";
  hb.node = "b";
  hc.node = "c";
  for (auto* h : {&ha, &hb, &hc}) {
    h->trace = &trace;
    h->mu = &mu;
  }
  Status st;
  auto a = factory->Create(Config({{"name", "det-a"}}), &host, &st);
  auto b = factory->Create(Config({{"name", "det-b"}}), &host, &st);
  auto c = factory->Create(Config({{"name", "det-c"}}), &host, &st);
  ha.self = a.get();
  hb.self = b.get();
  hc.self = c.get();
  set_delay("det-a", "det-c", 5);
  uint16_t pb = 0, pc = 0;
  EXPECT_TRUE(b->Listen({"127.0.0.1", 0}, &hb, &pb).ok());
  EXPECT_TRUE(c->Listen({"127.0.0.1", 0}, &hc, &pc).ok());
  // Every step runs on the host loop, as a node's core would act, and the script waits for
  // the loop to go idle between steps (a test thread posting while the loop posts its own
  // work would interleave by timing).
  auto step = [&](std::function<void()> fn) {
    host.Post(std::move(fn));
    EXPECT_TRUE(host.WaitIdle());
  };
  ConnId ab = 0, ac = 0;
  step([&] {
    ab = a->Connect({"127.0.0.1", pb}, &ha);
    ac = a->Connect({"127.0.0.1", pc}, &ha);
  });
  for (int i = 0; i < 5; ++i) {
    step([&, i] {
      a->Send(ab, "m" + std::to_string(i));
      a->Send(ac, "n" + std::to_string(i));
      if (i % 2 == 0) a->Send(ab, "x" + std::to_string(i));
    });
    if (i == 2) {  // the bytes to c are delayed 5 ms: let them arrive here
      host.AdvanceMs(7);
      EXPECT_TRUE(host.WaitIdle());
    }
  }
  step([&] { a->Close(ab); });
  host.AdvanceMs(7);
  EXPECT_TRUE(host.WaitIdle());
  a->Stop();
  b->Stop();
  c->Stop();
  EXPECT_TRUE(host.WaitIdle());
  set_delay("det-a", "det-c", 0);
  std::lock_guard<std::mutex> lock(mu);
  return trace;
}

TEST_F(InprocTransportTest, SameScriptSameTrace) {
  std::vector<std::string> first = RunScript(factory_, set_delay_);
  std::vector<std::string> second = RunScript(factory_, set_delay_);
  EXPECT_GT(first.size(), 15u);
  EXPECT_EQ(first, second);
  if (std::getenv("ZK_TEST_VERBOSE") != nullptr) {
    for (const std::string& line : first) std::fprintf(stderr, "%s\n", line.c_str());
  }
}

}  // namespace
}  // namespace zk::test
