#include "why500/line_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace why500;

namespace {

std::vector<std::string> ReadAll(const std::string& bytes, size_t max_line = 64, size_t block = 8,
                                 LineStats* stats = nullptr) {
  auto source = MemorySource(bytes);
  LineReader reader(source.get(), max_line, block);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.Next(&line)) lines.emplace_back(line);
  if (stats) *stats = reader.stats();
  return lines;
}

}  // namespace

TEST_CASE("lines split on LF and CRLF, across block boundaries", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll("alpha\r\nbeta\ngamma-is-longer-than-a-block\n\nend\n", 64, 8, &stats);
  REQUIRE(lines == std::vector<std::string>{"alpha", "beta", "gamma-is-longer-than-a-block", "", "end"});
  CHECK(stats.lines == 5);
  CHECK_FALSE(stats.missing_final_newline);
}

TEST_CASE("a last line without newline is counted and flagged", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll("one\ntwo", 64, 8, &stats);
  REQUIRE(lines == std::vector<std::string>{"one", "two"});
  CHECK(stats.missing_final_newline);
  CHECK(stats.lines == 2);
}

TEST_CASE("empty input has no lines", "[line_reader]") {
  LineStats stats;
  CHECK(ReadAll("", 64, 8, &stats).empty());
  CHECK(stats.lines == 0);
  CHECK(stats.bytes == 0);
}

TEST_CASE("an overlong line is cut at the cap, counted once, and the next line survives", "[line_reader]") {
  LineStats stats;
  const std::string longline(10000, 'x');
  const auto lines = ReadAll("a\n" + longline + "\nb\n", 100, 16, &stats);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "a");
  CHECK(lines[1] == std::string(100, 'x'));
  CHECK(lines[2] == "b");
  CHECK(stats.truncated_lines == 1);
  CHECK(stats.lines == 3);
  CHECK(stats.bytes == 2 + 10001 + 2);
}

TEST_CASE("an overlong last line without newline", "[line_reader]") {
  LineStats stats;
  const auto lines = ReadAll(std::string(5000, 'y'), 64, 8, &stats);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].size() == 64);
  CHECK(stats.truncated_lines == 1);
}

TEST_CASE("NUL bytes stay inside their line", "[line_reader]") {
  const std::string bytes("a\0b\nc\n", 6);
  const auto lines = ReadAll(bytes);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == std::string("a\0b", 3));
}
