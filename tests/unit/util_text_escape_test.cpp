#include <gtest/gtest.h>

#include <random>
#include <set>

#include "output/json_line.h"
#include "util/text_escape.h"

namespace duraudit {
namespace {

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
