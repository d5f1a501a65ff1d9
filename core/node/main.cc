// zknode CONFIG: one ZooKeeper-compatible server in the foreground (DESIGN §1). Logs go to
// stderr; `zkops server start` redirects them to a file per instance.
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "common/log.h"
#include "config/zoo_cfg.h"
#include "server/node.h"

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: zknode CONFIG\n"
               "Runs one ZooKeeper-compatible server in the foreground, configured by CONFIG\n"
               "(a zoo.cfg). Stops on SIGTERM or SIGINT.\n"
               "exit codes: 0 stopped, 1 unexpected error, 2 invalid config or plugin,\n"
               "            3 data directory unusable, 5 client port unavailable\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    Usage(stdout);
    return 0;
  }
  if (argc == 2 && !std::strcmp(argv[1], "--version")) {
    std::printf("zknode %s (ZooKeeper 3.8 client protocol)\n", ZK_VERSION);
    return 0;
  }
  if (argc != 2) {
    Usage(stderr);
    return zk::server::kExitInvalidConfig;
  }
  zk::config::ZooConfig cfg;
  zk::Status s = zk::config::LoadZooConfig(argv[1], &cfg);
  zk::log::Init(cfg.has_my_id ? std::to_string(cfg.my_id) : "");
  if (!s.ok()) {
    spdlog::error("Invalid config, exiting abnormally: {}", s.message());
    return zk::server::kExitInvalidConfig;
  }
  for (const auto& w : cfg.warnings) spdlog::warn("{}", w);
  spdlog::info("Starting zknode {} with config {}", ZK_VERSION, cfg.file);

  std::unique_ptr<zk::server::Node> node;
  int code = 0;
  s = zk::server::Node::Create(cfg, &node, &code);
  if (!s.ok()) {
    spdlog::error("{}, exiting abnormally", s.message());
    return code;
  }
  std::string words;
  for (const auto& w : cfg.four_letter_words) words += (words.empty() ? "" : ", ") + w;
  spdlog::info("The list of enabled four letter word commands is : [{}]", words);
  spdlog::info("Serving clients on {}:{}",
               cfg.client_port_address.empty() ? "0.0.0.0" : cfg.client_port_address,
               node->client_port());

  std::signal(SIGPIPE, SIG_IGN);
  {
    boost::asio::signal_set signals(node->loop().io(), SIGINT, SIGTERM);
    signals.async_wait([&node](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("Received signal {}, shutting down", sig);
      node->RequestStop();
    });
    node->Run();
  }  // the signal set goes before the loop it belongs to
  node->Stop();
  spdlog::info("zknode stopped");
  return zk::server::kExitOk;
}
