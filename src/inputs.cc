#include "why500/inputs.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "why500/text.h"

namespace why500 {
namespace {

struct Rotated {
  std::string base;  // "error.log"
  long number;       // 0 for the live file, N for error.log.N[.gz]
  std::string name;
};

// Splits "error.log.2.gz" into ("error.log", 2); false when the name is no log file.
bool ParseRotatedName(const std::string& name, Rotated* out) {
  std::string_view s = name;
  if (EndsWith(s, ".gz")) s.remove_suffix(3);
  long number = 0;
  const size_t dot = s.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < s.size() &&
      std::all_of(s.begin() + static_cast<long>(dot) + 1, s.end(), [](char c) { return IsDigit(c); })) {
    // Saturated: "error.log.99999999999999999999" is still a (very old) rotation, not a crash.
    for (char c : s.substr(dot + 1)) number = number > 99999999999L ? number : number * 10 + (c - '0');
    s = s.substr(0, dot);
  } else if (EndsWith(name, ".gz")) {
    return false;  // "x.log.gz" without a number is no rotation of ours
  }
  if (!EndsWith(s, ".log")) return false;
  *out = {std::string(s), number, name};
  return true;
}

}  // namespace

std::string RotationBase(const std::string& path) {
  const size_t slash = path.rfind('/');
  const size_t name_at = slash == std::string::npos ? 0 : slash + 1;
  Rotated r;
  if (!ParseRotatedName(path.substr(name_at), &r)) return path;
  return path.substr(0, name_at) + r.base;
}

bool IsFolder(const std::string& path) {
  struct stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expected<std::vector<std::string>> LogFilesOfFolder(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Error{dir + ": cannot read folder: " + std::strerror(errno)};
  std::vector<Rotated> files;
  while (const dirent* ent = ::readdir(d)) {
    Rotated r;
    const std::string path = dir + "/" + ent->d_name;
    struct stat st {};
    if (ParseRotatedName(ent->d_name, &r) && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      files.push_back(std::move(r));
    }
  }
  ::closedir(d);
  if (files.empty()) return Error{dir + ": folder holds no *.log, *.log.N or *.log.N.gz files"};
  // Within a set the highest number is the oldest; the live file (0) comes last.
  std::sort(files.begin(), files.end(), [](const Rotated& a, const Rotated& b) {
    const long an = a.number == 0 ? -1 : a.number, bn = b.number == 0 ? -1 : b.number;
    return std::tie(a.base, bn, a.name) < std::tie(b.base, an, b.name);
  });
  std::vector<std::string> out;
  const std::string prefix = EndsWith(dir, "/") ? dir : dir + "/";
  for (const Rotated& r : files) out.push_back(prefix + r.name);
  return out;
}

}  // namespace why500
