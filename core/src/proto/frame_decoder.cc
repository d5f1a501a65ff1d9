// FrameDecoder: `int32 BE length + payload` framing (protocol.md §2.1), as NIOServerCnxn
// reads it: the length is checked against the limit before any payload is buffered.
#include <string>

#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

namespace {

// Consumed bytes are dropped only once they are at least this many and at least half of the
// buffer, so each byte is moved O(1) times overall (no quadratic memmove per frame).
constexpr size_t kCompactMin = 64 * 1024;
// An emptied buffer that grew past this (one big frame) gives its memory back.
constexpr size_t kMaxIdleCapacity = 256 * 1024;

}  // namespace

bool FrameDecoder::Feed(const uint8_t* data, size_t len) {
  // Nothing more is buffered once failed; the bytes that made it fail stay, so PeekFirstWord
  // still sees the first word of a 4lw connection.
  if (failed_) return false;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = scan_ = 0;
  } else if (pos_ >= kCompactMin && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    scan_ -= pos_;
    pos_ = 0;
  }
  buf_.append(reinterpret_cast<const char*>(data), len);
  while (buf_.size() - scan_ >= 4) {
    int32_t n = static_cast<int32_t>(internal::LoadBe32(buf_.data() + scan_));
    if (n < 0 || n > max_frame_) {
      failed_ = true;
      error_ =
          "frame length " + std::to_string(n) + " outside [0, " + std::to_string(max_frame_) + "]";
      return false;
    }
    if (buf_.size() - scan_ - 4 < static_cast<size_t>(n)) break;
    scan_ += 4 + static_cast<size_t>(n);
  }
  return true;
}

bool FrameDecoder::Next(std::string* frame) {
  if (pos_ == scan_) return false;
  size_t n = internal::LoadBe32(buf_.data() + pos_);
  frame->assign(buf_.data() + pos_ + 4, n);
  pos_ += 4 + n;
  consumed_ = true;
  if (pos_ == buf_.size()) {
    if (buf_.capacity() > kMaxIdleCapacity) {
      std::string().swap(buf_);
    } else {
      buf_.clear();
    }
    pos_ = scan_ = 0;
  }
  return true;
}

bool FrameDecoder::PeekFirstWord(std::string* word) const {
  if (consumed_ || buf_.size() < 4) return false;
  word->assign(buf_.data(), 4);  // pos_ is 0 until a frame has been consumed
  return true;
}

}  // namespace zk::proto
