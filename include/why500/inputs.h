// Expands the inputs a user names: a folder stands for its log files, each rotation set in
// time order (error.log.3.gz, error.log.2.gz, error.log.1, error.log).
#pragma once

#include <string>
#include <vector>

#include "why500/status.h"

namespace why500 {

// The log files of folder `dir`: `*.log`, `*.log.N` and `*.log.N.gz`, grouped by their base
// name (sets sorted by name), oldest rotation first. An Error when it holds none.
Expected<std::vector<std::string>> LogFilesOfFolder(const std::string& dir);

// The live file a rotated one belongs to: "logs/error.log.2.gz" → "logs/error.log"; other
// names stay as they are.
std::string RotationBase(const std::string& path);

// True when `path` names a folder.
bool IsFolder(const std::string& path);

}  // namespace why500
