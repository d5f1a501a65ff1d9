// Address handling of the tcp transport: what Listen and Connect make of an Endpoint, and how
// peers are printed.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

#include "zk/status.h"
#include "zk/transport.h"

namespace zk::tcp {

// "host:port" as given, for messages.
std::string Describe(const Endpoint& ep);

// Listen: "" / "0.0.0.0" = every IPv4 address, "::" = every address, else an IPv4/IPv6
// literal ("[::1]" too) or a name, resolved synchronously (IPv4 preferred).
Status ResolveListenEndpoint(const Endpoint& ep, boost::asio::ip::tcp::endpoint* out);

// The host to dial: the wildcard means this machine (Linux treats INADDR_ANY as loopback).
std::string ConnectHost(const Endpoint& ep);

// "ip:port", or "[ip]:port" for IPv6.
std::string FormatEndpoint(const boost::asio::ip::tcp::endpoint& ep);

}  // namespace zk::tcp
