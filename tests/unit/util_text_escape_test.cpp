// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "output/json_line.h"
#include "util/text_escape.h"

namespace duraudit {
namespace {

TEST(EscapeText, ControlCharactersBackslashAndInvalidBytesAreCStyle) {
  EXPECT_EQ(escape_text("plain/path café"), "plain/path café");
  EXPECT_EQ(escape_text("a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
  EXPECT_EQ(escape_text("\x1b]0;x\x07"), "\\x1b]0;x\\x07");
  EXPECT_EQ(escape_text(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_text("del\x7f"), "del\\x7f");
  EXPECT_EQ(escape_text("bad\xff\xfe"), "bad\\xff\\xfe");
  EXPECT_EQ(escape_text("c1\xc2\x9b"), "c1\\xc2\\x9b");   // U+009B, a CSI to some terminals
  EXPECT_EQ(escape_text("nbsp\xc2\xa0"), "nbsp\xc2\xa0");  // U+00A0 is text
  EXPECT_EQ(escape_text("\xc0\xaf"), "\\xc0\\xaf");        // overlong '/'
  EXPECT_EQ(escape_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(escape_text("\xe2\x82"), "\\xe2\\x82");        // truncated sequence
  EXPECT_EQ(escape_text("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(EscapeText, OutputHasNoControlByteForAnyInput) {
  std::mt19937 rng(12);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    for (unsigned char c : escape_text(s)) ASSERT_FALSE(c < 0x20 || c == 0x7f) << escape_text(s);
  }
}

TEST(JsonBytes, ValidUtf8PassesInvalidBytesAndBackslashesAreEscaped) {
  EXPECT_EQ(escape_json_bytes("/d/caf\xc3\xa9"), "/d/caf\xc3\xa9");
  EXPECT_EQ(escape_json_bytes("n\xff"), "n\\xff");
  EXPECT_EQ(escape_json_bytes("n\\xff"), "n\\\\xff");
  EXPECT_EQ(escape_json_bytes("a\nb"), "a\nb");  // JSON escapes that itself
  EXPECT_TRUE(json_bytes_clean("/d/caf\xc3\xa9"));
  EXPECT_FALSE(json_bytes_clean("a\\b"));
  EXPECT_FALSE(json_bytes_clean("a\xff"));
}

TEST(JsonBytes, RoundTripsEveryByteStringAndKeepsDistinctNamesDistinct) {
  std::mt19937 rng(7);
  std::set<std::string> originals, encoded;
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 12, '\0');
    // Mostly backslashes, 'x', hex digits and high bytes: the ambiguous cases.
    static const char kAlphabet[] = {'\\', 'x', 'f', 'F', '0', 'a', '\xff', '\xc3', '\xa9', '\x80', '/'};
    for (char& c : s) c = kAlphabet[rng() % sizeof kAlphabet];
    std::string e = escape_json_bytes(s);
    ASSERT_EQ(unescape_json_bytes(e), s);
    if (originals.insert(s).second) {
      ASSERT_TRUE(encoded.insert(e).second) << e;
    }
  }
}

TEST(JsonLine, NeverThrowsOnInvalidUtf8AnywhereInTheObject) {
  nlohmann::ordered_json j;
  j["path"] = "a\xff";
  j["list"] = nlohmann::ordered_json::array({"b\xfe", 1});
  j["nested"]["key\xff"] = "c\\d";
  std::string line;
  ASSERT_NO_THROW(line = json_line(j));
  EXPECT_EQ(line, R"({"path":"a\\xff","list":["b\\xfe",1],"nested":{"key\\xff":"c\\\\d"}})");
  auto back = nlohmann::json::parse(line);
  EXPECT_EQ(unescape_json_bytes(back["path"].get<std::string>()), "a\xff");
}

}  // namespace
}  // namespace duraudit
