// Where `zkops cli` writes: stdout for results, stderr for what zkCli prints on System.err
// ("Created /x", errors, usage). Every write is flushed at once and serialised, because the
// client's I/O thread prints watch events concurrently with the shell, and a test that merges
// both streams (2>&1) must see them in the order they were written. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace zkops::cli {

class Console {
 public:
  Console(std::FILE* out, std::FILE* err) : out_(out), err_(err) {}
  void Out(const std::string& text) { Write(out_, text); }
  void Err(const std::string& text) { Write(err_, text); }
  void OutLine(const std::string& line) { Write(out_, line + "\n"); }
  void ErrLine(const std::string& line) { Write(err_, line + "\n"); }

 private:
  void Write(std::FILE* f, const std::string& text) {
    std::lock_guard<std::mutex> lk(mu_);
    std::fwrite(text.data(), 1, text.size(), f);
    std::fflush(f);
  }
  std::FILE* out_;
  std::FILE* err_;
  std::mutex mu_;
};

}  // namespace zkops::cli
