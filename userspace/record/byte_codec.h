// SPDX-License-Identifier: GPL-2.0-only
// Little-endian fixed-width encoding for the recording format, independent
// of the host's byte order.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace duraudit {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v); }
  void u32(uint32_t v) { put(v); }
  void u64(uint64_t v) { put(v); }
  void i32(int32_t v) { put(static_cast<uint32_t>(v)); }
  // Strings longer than 65535 bytes are cut (no path or comm is).
  void str(std::string_view s) {
    uint16_t n = s.size() > 0xffff ? 0xffff : static_cast<uint16_t>(s.size());
    u16(n);
    out_.append(s.data(), n);
  }

 private:
  template <typename T>
  void put(T v) {
    if constexpr (std::endian::native == std::endian::big) v = byteswap(v);
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  template <typename T>
  static T byteswap(T v) {
    T r = 0;
    for (size_t i = 0; i < sizeof(T); ++i) r = static_cast<T>((r << 8) | ((v >> (8 * i)) & 0xff));
    return r;
  }
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool u8(uint8_t& v) { return get(v); }
  bool u16(uint16_t& v) { return get(v); }
  bool u32(uint32_t& v) { return get(v); }
  bool u64(uint64_t& v) { return get(v); }
  bool i32(int32_t& v) {
    uint32_t u;
    if (!get(u)) return false;
    v = static_cast<int32_t>(u);
    return true;
  }
  bool str(std::string& s) {
    uint16_t n;
    if (!get(n) || in_.size() - pos_ < n) return false;
    s.assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  // `n` raw bytes.
  bool bytes(std::string& s, size_t n) {
    if (in_.size() - pos_ < n) return false;
    s.assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  template <typename T>
  bool get(T& v) {
    if (in_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    if constexpr (std::endian::native == std::endian::big) {
      T r = 0;
      for (size_t i = 0; i < sizeof(T); ++i) r = static_cast<T>((r << 8) | ((v >> (8 * i)) & 0xff));
      v = r;
    }
    pos_ += sizeof(T);
    return true;
  }
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace duraudit
