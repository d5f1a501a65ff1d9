#include "server/admin_http.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <future>
#include <map>
#include <sstream>

#include "server/core_loop.h"
#include "server/server.h"

namespace zk::server {

namespace {

// ZooKeeper's command names and aliases (server/admin/Commands.java) mapped to the
// four-letter word whose content they share.
const std::map<std::string, std::string>& CommandAliases() {
  static const std::map<std::string, std::string> kAliases = {
      {"configuration", "conf"}, {"conf", "conf"},       {"config", "conf"},
      {"connections", "cons"},   {"cons", "cons"},       {"connection_stat_reset", "crst"},
      {"crst", "crst"},          {"dirs", "dirs"},       {"dump", "dump"},
      {"environment", "envi"},   {"env", "envi"},        {"envi", "envi"},
      {"is_read_only", "isro"},  {"isro", "isro"},       {"monitor", "mntr"},
      {"mntr", "mntr"},          {"ruok", "ruok"},       {"server_stats", "srvr"},
      {"srvr", "srvr"},          {"stats", "stat"},      {"stat", "stat"},
      {"stat_reset", "srst"},    {"srst", "srst"},       {"watches", "wchc"},
      {"wchc", "wchc"},          {"watches_by_path", "wchp"}, {"wchp", "wchp"},
      {"watch_summary", "wchs"}, {"wchs", "wchs"},       {"hash", "hash"},
  };
  return kAliases;
}

// Turns "key=value" / "key\tvalue" / "Key: value" lines into JSON members.
void AddLines(Poco::JSON::Object& obj, const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t pos = line.find_first_of("=\t");
    size_t skip = 1;
    if (pos == std::string::npos) {
      pos = line.find(": ");
      skip = 2;
    }
    if (pos == std::string::npos || pos == 0) continue;
    std::string key = line.substr(0, pos);
    if (key.rfind("zk_", 0) == 0) key = key.substr(3);
    obj.set(key, line.substr(pos + skip));
  }
}

// Runs fn on the core loop and waits for its result; gives up after a few seconds (the loop
// may be stopping), so an HTTP thread never blocks shutdown for long.
std::string OnLoop(CoreLoop* loop, std::function<std::string()> fn) {
  auto p = std::make_shared<std::promise<std::string>>();
  auto f = p->get_future();
  loop->Post([p, fn = std::move(fn)] { p->set_value(fn()); });
  if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    return "{\"error\": \"server is shutting down\"}";
  }
  return f.get();
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(ZkServer* server, CoreLoop* loop, std::string url)
      : server_(server), loop_(loop), url_(std::move(url)) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    std::string uri = req.getURI();
    if (auto q = uri.find('?'); q != std::string::npos) uri.resize(q);
    std::string body;
    if (uri == "/metrics") {
      body = OnLoop(loop_, [this] { return AdminServer::Metrics(server_); });
      resp.setContentType("text/plain; version=0.0.4");
    } else if (uri == url_ || uri == url_ + "/") {
      Poco::JSON::Object obj;
      Poco::JSON::Array names;
      for (const auto& [name, word] : CommandAliases()) names.add(name);
      obj.set("commands", names);
      obj.set("error", Poco::Dynamic::Var());
      std::ostringstream o;
      Poco::JSON::Stringifier::stringify(obj, o, 2);
      body = o.str();
      resp.setContentType("application/json");
    } else if (uri.rfind(url_ + "/", 0) == 0) {
      std::string name = uri.substr(url_.size() + 1);
      body = OnLoop(loop_, [this, name] { return AdminServer::CommandJson(server_, name); });
      resp.setContentType("application/json");
    } else {
      resp.setStatus(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      body = "Not found\n";
    }
    resp.setContentLength(static_cast<std::streamsize>(body.size()));
    resp.send() << body;
  }

 private:
  ZkServer* server_;
  CoreLoop* loop_;
  std::string url_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(ZkServer* server, CoreLoop* loop, std::string url)
      : server_(server), loop_(loop), url_(std::move(url)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(server_, loop_, url_);
  }

 private:
  ZkServer* server_;
  CoreLoop* loop_;
  std::string url_;
};

}  // namespace

AdminServer::AdminServer(ZkServer* server, CoreLoop* loop) : server_(server), loop_(loop) {}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start(const config::ZooConfig& cfg) {
  try {
    Poco::Net::SocketAddress addr(cfg.admin_server_address, cfg.admin_server_port);
    Poco::Net::ServerSocket socket(addr, 64);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    params->setTimeout(Poco::Timespan(static_cast<long>(cfg.admin_idle_timeout) * 1000));
    http_ = std::make_unique<Poco::Net::HTTPServer>(
        new Factory(server_, loop_, cfg.admin_command_url), socket, params);
    http_->start();
  } catch (const Poco::Exception& e) {
    return Status::IoError("admin server on " + cfg.admin_server_address + ":" +
                           std::to_string(cfg.admin_server_port) + ": " + e.displayText());
  }
  return Status::OK();
}

void AdminServer::Stop() {
  if (http_) {
    http_->stopAll(true);
    http_.reset();
  }
}

std::string AdminServer::CommandJson(ZkServer* server, const std::string& name) {
  Poco::JSON::Object obj;
  obj.set("command", name);
  auto it = CommandAliases().find(name);
  if (it == CommandAliases().end()) {
    obj.set("error", "Unknown command: " + name);
  } else if (!server->serving() && it->second != "envi") {
    // Unlike the four-letter ruok, the HTTP ruok needs a serving server (operations.md §1.6).
    obj.set("error", "This ZooKeeper instance is not currently serving requests");
  } else {
    obj.set("error", Poco::Dynamic::Var());
    // The AdminServer does not consult 4lw.commands.whitelist.
    const std::string& word = it->second;
    std::string text = word == "ruok" ? "" : server->FourLetterWordUnchecked(word);
    if (word == "isro") obj.set("read_only", false);
    else AddLines(obj, text);
  }
  std::ostringstream o;
  Poco::JSON::Stringifier::stringify(obj, o, 2);
  return o.str();
}

std::string AdminServer::Metrics(ZkServer* server) {
  std::istringstream in(server->FourLetterWordUnchecked("mntr"));
  std::ostringstream o;
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::string key = line.substr(3, tab - 3), value = line.substr(tab + 1);
    if (value.empty() || value.find_first_not_of("-0123456789.") != std::string::npos) continue;
    o << "# TYPE " << key << " gauge\n" << key << " " << value << "\n";
  }
  return o.str();
}

}  // namespace zk::server
