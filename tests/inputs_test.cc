#include "why500/inputs.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace why500;

TEST_CASE("a folder stands for its log files, each rotation set oldest first", "[inputs]") {
  char tmpl[] = "/tmp/why500-inputs-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const char* names[] = {"error.log", "error.log.1", "error.log.2.gz", "error.log.10.gz", "access.log",
                         "access.log.1", "notes.txt", "old.gz", "app.log.gz"};
  for (const char* n : names) std::ofstream(dir + "/" + n) << "x\n";
  auto files = LogFilesOfFolder(dir);
  REQUIRE(files.ok());
  const std::vector<std::string> expected = {dir + "/access.log.1",     dir + "/access.log",  dir + "/error.log.10.gz",
                                             dir + "/error.log.2.gz", dir + "/error.log.1", dir + "/error.log"};
  CHECK(*files == expected);
  for (const char* n : names) std::remove((dir + "/" + n).c_str());
  auto empty = LogFilesOfFolder(dir);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == dir + ": folder holds no *.log, *.log.N or *.log.N.gz files");
  ::rmdir(dir.c_str());
  CHECK(IsFolder("/tmp"));
  CHECK_FALSE(IsFolder("-"));
}
