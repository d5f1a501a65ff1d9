// One suite, typed over every transport plugin: the contract of zk/transport.h (callback order,
// Close flushes, thread-safe Send, backpressure, Stop). tcp runs on 127.0.0.1 with port 0.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "transport_test_util.h"

namespace zk::test {
namespace {

struct TcpKind {
  static constexpr const char* kName = "tcp";
  // A port nobody listens on: bind one, read it, close it.
  static Endpoint UnusedEndpoint() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    uint16_t port = 1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
    ::close(fd);
    return {"127.0.0.1", port};
  }
};

struct InprocKind {
  static constexpr const char* kName = "inproc";
  static Endpoint UnusedEndpoint() { return {"127.0.0.1", 1}; }
};

template <typename Kind>
class TransportConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    factory_ = LoadTransportFactory(Kind::kName);
    ASSERT_NE(factory_, nullptr);
    server_ = Create(&server_host_);
    client_ = Create(&client_host_);
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(client_, nullptr);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(client_->Start().ok());
  }

  void TearDown() override {
    if (client_) client_->Stop();
    if (server_) server_->Stop();
    EXPECT_EQ(server_handler_.violations(), "");
    EXPECT_EQ(client_handler_.violations(), "");
  }

  std::unique_ptr<Transport> Create(Host* host) {
    Status status;
    std::unique_ptr<Transport> t = factory_->Create(PluginConfig(), host, &status);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return t;
  }

  // Listens on 127.0.0.1, port 0, with `server_handler_`.
  uint16_t Listen() {
    uint16_t port = 0;
    Status s = server_->Listen({"127.0.0.1", 0}, &server_handler_, &port);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_NE(port, 0);
    return port;
  }

  uint16_t ListenEcho() {
    server_handler_.on_data = [this](ConnId id, const uint8_t* data, size_t len) {
      server_->Send(id, std::string(reinterpret_cast<const char*>(data), len));
    };
    return Listen();
  }

  ConnId ConnectAndWait(uint16_t port) {
    ConnId id = client_->Connect({"127.0.0.1", port}, &client_handler_);
    EXPECT_NE(id, 0u);
    EXPECT_TRUE(client_handler_.WaitUntil(
        [&] { return client_handler_.OpenedLocked(id) || client_handler_.ClosedLocked(id); }));
    EXPECT_TRUE(client_handler_.Get(id).opened) << client_handler_.Get(id).error;
    return id;
  }

  // The server-side id of the n-th accepted connection (0-based), once it is open.
  ConnId AcceptedId(size_t n) {
    EXPECT_TRUE(server_handler_.WaitUntil([&] { return server_handler_.OpenCountLocked() > n; }));
    std::vector<ConnId> order = server_handler_.OpenOrder();
    return order.size() > n ? order[n] : 0;
  }

  // Sends `message` on a fresh client connection to an echo server and waits for it to come
  // back: everything the server had already received on other connections was handled.
  void EchoRoundTrip(uint16_t port, const std::string& message) {
    ConnId id = ConnectAndWait(port);
    client_->Send(id, message);
    EXPECT_TRUE(client_handler_.WaitUntil(
        [&] { return client_handler_.DataSizeLocked(id) >= message.size(); }));
    EXPECT_EQ(client_handler_.Get(id).data, message);
  }

  // Hosts and handlers are declared before the transports: they outlive them.
  TestHost server_host_;
  TestHost client_host_;
  RecordingHandler server_handler_;
  RecordingHandler client_handler_;
  TransportFactory* factory_ = nullptr;
  std::unique_ptr<Transport> server_;
  std::unique_ptr<Transport> client_;
};

using Kinds = ::testing::Types<TcpKind, InprocKind>;
class KindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};
TYPED_TEST_SUITE(TransportConformanceTest, Kinds, KindNames);

TYPED_TEST(TransportConformanceTest, ListenConnectEcho) {
  uint16_t port = this->ListenEcho();
  ConnId id = this->ConnectAndWait(port);
  EXPECT_NE(this->client_handler_.Get(id).peer.find(':'), std::string::npos);
  this->client_->Send(id, "hello, ");
  this->client_->Send(id, "world");
  ASSERT_TRUE(this->client_handler_.WaitUntil(
      [&] { return this->client_handler_.DataSizeLocked(id) >= 12; }));
  EXPECT_EQ(this->client_handler_.Get(id).data, "hello, world");

  ConnId server_id = this->AcceptedId(0);
  EXPECT_NE(server_id, 0u);
  EXPECT_NE(this->server_handler_.Get(server_id).peer.find(':'), std::string::npos);
  EXPECT_EQ(this->server_handler_.Get(server_id).data, "hello, world");
}

TYPED_TEST(TransportConformanceTest, LargePayloadArrivesIntactInOrder) {
  uint16_t port = this->ListenEcho();
  ConnId id = this->ConnectAndWait(port);
  const std::string payload = RandomBytes(4 * 1024 * 1024, 7);
  // Uneven pieces, one of them bigger than any read buffer.
  const size_t cuts[] = {1, 1000, 70000, 2 * 1024 * 1024, 3, 65536};
  size_t off = 0;
  for (size_t len : cuts) {
    this->client_->Send(id, payload.substr(off, len));
    off += len;
  }
  this->client_->Send(id, payload.substr(off));
  ASSERT_TRUE(this->client_handler_.WaitUntil(
      [&] { return this->client_handler_.DataSizeLocked(id) >= payload.size(); }));
  const std::string got = this->client_handler_.Get(id).data;
  ASSERT_EQ(got.size(), payload.size());
  EXPECT_TRUE(got == payload) << "echoed bytes differ from the sent ones";
}

TYPED_TEST(TransportConformanceTest, ManyConnections) {
  uint16_t port = this->ListenEcho();
  constexpr int kConns = 64;
  std::vector<ConnId> ids;
  for (int i = 0; i < kConns; ++i) {
    ids.push_back(this->client_->Connect({"127.0.0.1", port}, &this->client_handler_));
  }
  std::set<ConnId> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size()) << "ConnIds must be unique";
  EXPECT_EQ(distinct.count(0), 0u) << "ConnId 0 is never used";
  // Send before OnOpen is allowed: the bytes wait for the connection.
  for (int i = 0; i < kConns; ++i) this->client_->Send(ids[i], "conn-" + std::to_string(i));
  for (int i = 0; i < kConns; ++i) {
    const std::string want = "conn-" + std::to_string(i);
    ASSERT_TRUE(this->client_handler_.WaitUntil([&] {
      return this->client_handler_.DataSizeLocked(ids[i]) >= want.size();
    })) << "connection "
        << i;
    EXPECT_EQ(this->client_handler_.Get(ids[i]).data, want);
  }
  EXPECT_EQ(this->server_handler_.OpenOrder().size(), static_cast<size_t>(kConns));
}

TYPED_TEST(TransportConformanceTest, CloseFlushesQueuedDataBeforeOnClosed) {
  const std::string payload = RandomBytes(1024 * 1024, 11);
  this->server_handler_.on_open = [&](ConnId id, const std::string&) {
    for (size_t off = 0; off < payload.size(); off += 4096) {
      this->server_->Send(id, payload.substr(off, 4096));
    }
    this->server_->Close(id);
    this->server_->Send(id, "after close");  // dropped
  };
  uint16_t port = this->Listen();
  ConnId id = this->client_->Connect({"127.0.0.1", port}, &this->client_handler_);
  ASSERT_TRUE(
      this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  RecordingHandler::Conn c = this->client_handler_.Get(id);
  EXPECT_EQ(c.error, "");
  ASSERT_EQ(c.data.size(), payload.size());
  EXPECT_TRUE(c.data == payload);

  ConnId server_id = this->AcceptedId(0);
  ASSERT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.ClosedLocked(server_id); }));
  EXPECT_EQ(this->server_handler_.Get(server_id).error, "");
}

TYPED_TEST(TransportConformanceTest, PeerCloseDeliversOnClosedOnce) {
  uint16_t port = this->ListenEcho();
  ConnId id = this->ConnectAndWait(port);
  ConnId server_id = this->AcceptedId(0);
  this->client_->Send(id, "bye");
  this->client_->Close(id);
  this->client_->Close(id);  // twice is harmless
  ASSERT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.ClosedLocked(server_id); }));
  ASSERT_TRUE(
      this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  EXPECT_EQ(this->server_handler_.Get(server_id).data, "bye");
  EXPECT_EQ(this->server_handler_.Get(server_id).error, "");
  EXPECT_EQ(this->client_handler_.Get(id).error, "");
  // Stop joins: every callback that could come has come. Still exactly one OnClosed each.
  this->client_->Stop();
  this->server_->Stop();
  EXPECT_EQ(this->server_handler_.Get(server_id).closed, 1);
  EXPECT_EQ(this->client_handler_.Get(id).closed, 1);
}

TYPED_TEST(TransportConformanceTest, SendAfterCloseIsNoOp) {
  uint16_t port = this->ListenEcho();
  ConnId id = this->ConnectAndWait(port);
  ConnId server_id = this->AcceptedId(0);
  this->client_->Close(id);
  ASSERT_TRUE(
      this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  ASSERT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.ClosedLocked(server_id); }));
  this->client_->Send(id, "late");
  this->server_->Send(server_id, "late");
  this->client_->Close(id);
  this->client_->SetReading(id, false);
  this->client_->Send(987654321, "nobody");
  this->client_->Close(987654321);
  this->client_->SetReading(987654321, true);
  // A later round trip on another connection proves the transports still work and gives any
  // wrongly delivered bytes the time to show up.
  this->EchoRoundTrip(port, "still alive");
  EXPECT_EQ(this->client_handler_.Get(id).data, "");
  EXPECT_EQ(this->server_handler_.Get(server_id).data, "");
  EXPECT_EQ(this->client_handler_.Get(id).closed, 1);
  EXPECT_EQ(this->server_handler_.Get(server_id).closed, 1);
}

TYPED_TEST(TransportConformanceTest, SetReadingPausesAndResumes) {
  std::atomic<int> accepted{0};
  this->server_handler_.on_open = [&](ConnId id, const std::string&) {
    if (accepted++ == 0) this->server_->SetReading(id, false);  // in the callback: immediate
  };
  uint16_t port = this->ListenEcho();
  ConnId paused = this->ConnectAndWait(port);
  ConnId server_paused = this->AcceptedId(0);
  this->client_->Send(paused, "held back");
  // The round trip on a second connection happens after "held back" was sent.
  this->EchoRoundTrip(port, "barrier");
  EXPECT_EQ(this->server_handler_.Get(server_paused).data, "")
      << "OnData arrived while reading was paused";
  EXPECT_EQ(this->client_handler_.Get(paused).data, "");

  this->server_->SetReading(server_paused, true);
  ASSERT_TRUE(this->client_handler_.WaitUntil(
      [&] { return this->client_handler_.DataSizeLocked(paused) >= 9; }));
  EXPECT_EQ(this->client_handler_.Get(paused).data, "held back");
  EXPECT_EQ(this->server_handler_.Get(server_paused).data, "held back");
}

TYPED_TEST(TransportConformanceTest, StopWithOpenConnections) {
  uint16_t port = this->ListenEcho();
  std::vector<ConnId> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(this->ConnectAndWait(port));
    this->client_->Send(ids.back(), "x");
  }
  for (ConnId id : ids) {
    ASSERT_TRUE(this->client_handler_.WaitUntil(
        [&] { return this->client_handler_.DataSizeLocked(id) >= 1; }));
  }
  const std::vector<ConnId> server_ids = this->server_handler_.OpenOrder();
  ASSERT_EQ(server_ids.size(), 5u);

  this->server_->Stop();
  const uint64_t callbacks_at_stop = this->server_handler_.callbacks();
  // Every connection still open was told, exactly once, before Stop returned.
  for (ConnId sid : server_ids) {
    RecordingHandler::Conn c = this->server_handler_.Get(sid);
    EXPECT_EQ(c.closed, 1) << "server conn " << sid;
    EXPECT_NE(c.error, "") << "Stop is not an orderly close of the connection";
  }
  // The clients see their connections end; they keep talking to a stopped transport.
  for (ConnId id : ids) {
    this->client_->Send(id, "into the void");
    ASSERT_TRUE(
        this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  }
  EXPECT_EQ(this->server_handler_.callbacks(), callbacks_at_stop) << "callback after Stop";
  this->server_->Stop();  // idempotent
  this->server_->Send(server_ids[0], "after stop");
  this->server_->Close(server_ids[0]);
  EXPECT_EQ(this->server_handler_.callbacks(), callbacks_at_stop);
  // Listening again after Stop is refused.
  uint16_t unused = 0;
  EXPECT_FALSE(this->server_->Listen({"127.0.0.1", 0}, &this->server_handler_, &unused).ok());
}

TYPED_TEST(TransportConformanceTest, ConcurrentSendsKeepEachThreadsOrder) {
  uint16_t port = this->Listen();  // the server only records
  ConnId id = this->ConnectAndWait(port);
  constexpr int kThreads = 4;
  constexpr int kMessages = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kMessages; ++i) {
        this->client_->Send(id, std::to_string(t) + ":" + std::to_string(i) + ";");
      }
    });
  }
  for (auto& th : threads) th.join();
  size_t total = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kMessages; ++i) total += std::to_string(i).size() + 3;
  }
  ConnId server_id = this->AcceptedId(0);
  ASSERT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.DataSizeLocked(server_id) >= total; }));
  const std::string data = this->server_handler_.Get(server_id).data;
  ASSERT_EQ(data.size(), total);
  std::vector<int> next(kThreads, 0);
  size_t pos = 0;
  while (pos < data.size()) {
    size_t colon = data.find(':', pos);
    size_t semi = data.find(';', pos);
    ASSERT_NE(colon, std::string::npos);
    ASSERT_NE(semi, std::string::npos);
    int t = std::stoi(data.substr(pos, colon - pos));
    int i = std::stoi(data.substr(colon + 1, semi - colon - 1));
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    ASSERT_EQ(i, next[t]) << "thread " << t << " reordered or interleaved";
    next[t]++;
    pos = semi + 1;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kMessages);
}

TYPED_TEST(TransportConformanceTest, ConnectToNothingReportsError) {
  ConnId id = this->client_->Connect(TypeParam::UnusedEndpoint(), &this->client_handler_);
  ASSERT_TRUE(
      this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  RecordingHandler::Conn c = this->client_handler_.Get(id);
  EXPECT_FALSE(c.opened);
  EXPECT_NE(c.error, "");
  this->client_->Send(id, "nobody");  // no-op
}

TYPED_TEST(TransportConformanceTest, ListenPortsAreDistinctAndExclusive) {
  uint16_t a = this->Listen();
  uint16_t b = this->Listen();
  EXPECT_NE(a, b);
  uint16_t again = 0;
  Status s = this->server_->Listen({"127.0.0.1", a}, &this->server_handler_, &again);
  EXPECT_FALSE(s.ok()) << "a second listener on a busy port";
  // Both listeners accept.
  this->ConnectAndWait(a);
  this->ConnectAndWait(b);
  EXPECT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.OpenCountLocked() == 2; }));
}

TYPED_TEST(TransportConformanceTest, CloseBeforeOpenStillOpensThenCloses) {
  uint16_t port = this->ListenEcho();
  ConnId id = this->client_->Connect({"127.0.0.1", port}, &this->client_handler_);
  this->client_->Send(id, "early");
  this->client_->Close(id);
  ASSERT_TRUE(
      this->client_handler_.WaitUntil([&] { return this->client_handler_.ClosedLocked(id); }));
  EXPECT_EQ(this->client_handler_.Get(id).error, "");
  ConnId server_id = this->AcceptedId(0);
  ASSERT_TRUE(this->server_handler_.WaitUntil(
      [&] { return this->server_handler_.ClosedLocked(server_id); }));
  EXPECT_EQ(this->server_handler_.Get(server_id).data, "early");
}

}  // namespace
}  // namespace zk::test
