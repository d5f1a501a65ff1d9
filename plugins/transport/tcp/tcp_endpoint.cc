#include "tcp_endpoint.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

namespace zk::tcp {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string StripBrackets(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

std::string Describe(const Endpoint& ep) { return ep.host + ":" + std::to_string(ep.port); }

Status ResolveListenEndpoint(const Endpoint& ep, tcp::endpoint* out) {
  const std::string host = StripBrackets(ep.host);
  if (host.empty() || host == "0.0.0.0") {
    *out = tcp::endpoint(tcp::v4(), ep.port);
    return Status::OK();
  }
  error_code ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (!ec) {
    *out = tcp::endpoint(addr, ep.port);
    return Status::OK();
  }
  // A host name: resolved synchronously because Listen runs once, at startup.
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(host, std::to_string(ep.port), ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("tcp: cannot resolve listen host '" + host +
                                   "': " + (ec ? ec.message() : "no address"));
  }
  *out = results.begin()->endpoint();
  for (const auto& r : results) {  // prefer IPv4, as ZooKeeper operators expect
    if (r.endpoint().address().is_v4()) {
      *out = r.endpoint();
      break;
    }
  }
  return Status::OK();
}

std::string ConnectHost(const Endpoint& ep) {
  std::string host = StripBrackets(ep.host);
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  // An IPv4 client of a dual-stack "::" listener shows as ::ffff:a.b.c.d; print a.b.c.d.
  if (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, ep.address().to_v6()).to_string() + ":" +
           std::to_string(ep.port());
  }
  if (ep.address().is_v6()) {
    return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
  }
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace zk::tcp
