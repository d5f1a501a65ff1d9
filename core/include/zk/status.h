// Status: the result of an operation that can fail, carried by value (LevelDB style).
// Nothing throws across a plugin boundary; plugins return Status instead.
#pragma once

#include <string>
#include <utility>

namespace zk {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,       // on-disk data failed a check; message says where
    kIoError,          // the OS refused (ENOSPC, EIO, ...)
    kInvalidArgument,  // bad config or bad input
    kUnavailable,      // not now: no leader, shutting down
    kAborted,          // cancelled because the owner stopped
    kNotSupported,
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IoError(std::string m) { return Status(Code::kIoError, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Aborted(std::string m) { return Status(Code::kAborted, std::move(m)); }
  static Status NotSupported(std::string m) { return Status(Code::kNotSupported, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  std::string ToString() const {
    if (ok()) return "OK";
    static const char* const kNames[] = {"OK",           "Not found",   "Corruption",
                                         "IO error",     "Invalid argument", "Unavailable",
                                         "Aborted",      "Not supported"};
    return std::string(kNames[static_cast<int>(code_)]) + ": " + message_;
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace zk
