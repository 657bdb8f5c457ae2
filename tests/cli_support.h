// Shared by the tests that run the real why500 binary (cli_test.cc, hostile_test.cc): spawning
// it with pipes (posix_spawn, stdin fed and stdout/stderr drained concurrently), temporary
// folders, and JSON helpers.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace why500_cli_test {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Running the binary

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the terminating signal, else 0
  std::string out, err;
  long max_rss_kb = 0;  // the child's peak resident memory (wait4's ru_maxrss)
  double seconds = 0;   // wall-clock time from spawn to exit
};

struct RunOptions {
  std::string stdin_data;                // written to the child's stdin, then closed
  std::vector<std::string> set_env;      // "NAME=value" added or replacing
  std::vector<std::string> unset_env;    // names removed
  bool close_stdout_at_once = false;     // close the read end of stdout before reading anything
  size_t close_stdout_after = 0;         // close the read end once this many bytes came (`| head -c N`)
  bool sigpipe_default = true;           // as a shell starts it; false leaves SIGPIPE ignored
  bool stdout_on_pty = false;            // stdout is a pseudo-terminal (isatty true)
  bool stdin_closed = false;             // the child starts with no fd 0 at all (`<&-`)
  std::string stdin_file;                // the child's stdin is this file (`< /dev/null`)
  bool stdout_closed = false;            // the child starts with no fd 1 (`>&-`)
  bool stderr_closed = false;            // the child starts with no fd 2 (`2>&-`)
};

inline std::vector<std::string> ChildEnv(const RunOptions& o) {
  std::vector<std::string> names = o.unset_env;
  names.push_back("NO_COLOR");  // tests decide about colour themselves
  names.push_back("TZ");
  for (const std::string& kv : o.set_env) names.push_back(kv.substr(0, kv.find('=')));
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string name = kv.substr(0, kv.find('='));
    if (std::find(names.begin(), names.end(), name) == names.end()) env.push_back(kv);
  }
  bool own_tz = false;
  for (const std::string& kv : o.set_env) own_tz |= kv.rfind("TZ=", 0) == 0;
  if (!own_tz) env.push_back("TZ=UTC");
  for (const std::string& kv : o.set_env) env.push_back(kv);
  return env;
}

inline void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// why500 started with `args` as `o` says (its stdin, stdout and stderr; `stdin_data` and the
// reading options are Run's), and the parent's ends of its pipes, which the caller closes.
struct Child {
  pid_t pid = -1;
  int in = -1, out = -1, err = -1;
  std::chrono::steady_clock::time_point started;
};

inline Child Spawn(const std::vector<std::string>& args, const RunOptions& o = {}) {
  ::signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill the test by our writes
  int in[2], out[2], err[2];
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
  if (o.stdout_on_pty) {
    out[0] = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(out[0] >= 0);
    REQUIRE(::grantpt(out[0]) == 0);
    REQUIRE(::unlockpt(out[0]) == 0);
    out[1] = ::open(::ptsname(out[0]), O_RDWR | O_NOCTTY | O_CLOEXEC);
    REQUIRE(out[1] >= 0);
  } else {
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (o.stdin_closed) {
    posix_spawn_file_actions_addclose(&fa, 0);
  } else if (!o.stdin_file.empty()) {
    posix_spawn_file_actions_addopen(&fa, 0, o.stdin_file.c_str(), O_RDONLY, 0);
  } else {
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  }
  if (o.stdout_closed) {
    posix_spawn_file_actions_addclose(&fa, 1);
  } else {
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  }
  if (o.stderr_closed) {
    posix_spawn_file_actions_addclose(&fa, 2);
  } else {
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, mask;
  sigemptyset(&defaults);
  sigemptyset(&mask);
  if (o.sigpipe_default) sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_s = {WHY500_BIN};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = ChildEnv(o);
  std::vector<char*> envp;
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  Child child;
  child.started = std::chrono::steady_clock::now();
  const int rc = ::posix_spawn(&child.pid, WHY500_BIN, &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  REQUIRE(rc == 0);
  child.in = in[1];
  child.out = out[0];
  child.err = err[0];
  return child;
}

// Runs why500 with `args`; feeds stdin and drains stdout/stderr concurrently (no pipe deadlock).
inline RunResult Run(const std::vector<std::string>& args, const RunOptions& o = {}) {
  const Child child = Spawn(args, o);
  const pid_t pid = child.pid;
  const auto started = child.started;

  RunResult r;
  int fd_in = child.in, fd_out = child.out, fd_err = child.err;
  size_t written = 0;
  if (o.stdin_data.empty()) {
    ::close(fd_in);
    fd_in = -1;
  } else {
    SetNonBlocking(fd_in);
  }
  if (o.close_stdout_at_once) {
    ::close(fd_out);
    fd_out = -1;
  }
  while (fd_in >= 0 || fd_out >= 0 || fd_err >= 0) {
    std::vector<pollfd> fds;
    if (fd_in >= 0) fds.push_back({fd_in, POLLOUT, 0});
    if (fd_out >= 0) fds.push_back({fd_out, POLLIN, 0});
    if (fd_err >= 0) fds.push_back({fd_err, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), 20000);
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);  // 20 s without any progress: the binary hangs
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == fd_in) {
        const ssize_t k = ::write(fd_in, o.stdin_data.data() + written, o.stdin_data.size() - written);
        if (k > 0) written += static_cast<size_t>(k);
        if (k < 0 && errno == EAGAIN) continue;
        if (k < 0 || written == o.stdin_data.size()) {
          ::close(fd_in);
          fd_in = -1;
        }
        continue;
      }
      char buf[65536];
      const ssize_t k = ::read(p.fd, buf, sizeof buf);
      if (k > 0) {
        (p.fd == fd_out ? r.out : r.err).append(buf, static_cast<size_t>(k));
        if (p.fd == fd_out && o.close_stdout_after > 0 && r.out.size() >= o.close_stdout_after) {
          ::close(fd_out);  // the reader is gone, as `head` goes after its lines
          fd_out = -1;
        }
      } else if (k == 0 || errno != EINTR) {  // EOF (or EIO on a pty whose slave closed)
        ::close(p.fd);
        (p.fd == fd_out ? fd_out : fd_err) = -1;
      }
    }
  }
  int status = 0;
  rusage usage {};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  r.max_rss_kb = usage.ru_maxrss;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Files

// A fresh folder under the system's temporary directory ($TMPDIR honoured), removed with all it holds.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "why500-cli-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { RemoveTree(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Path(const std::string& name) const { return path_ + "/" + name; }
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string p = Path(name);
    std::ofstream f(p, std::ios::binary);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(f.good());
    return p;
  }
  std::string WriteGz(const std::string& name, const std::string& content) const {
    const std::string p = Path(name);
    gzFile gz = gzopen(p.c_str(), "wb");
    REQUIRE(gz != nullptr);
    REQUIRE(gzwrite(gz, content.data(), static_cast<unsigned>(content.size())) == static_cast<int>(content.size()));
    REQUIRE(gzclose(gz) == Z_OK);
    return p;
  }
  std::string Mkdir(const std::string& name) const {
    const std::string p = Path(name);
    REQUIRE(::mkdir(p.c_str(), 0755) == 0);
    return p;
  }

 private:
  static void RemoveTree(const std::string& p) {
    if (DIR* d = ::opendir(p.c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        const std::string child = p + "/" + name;
        struct stat st {};
        if (::lstat(child.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
          ::chmod(child.c_str(), 0755);
          RemoveTree(child);
        } else {
          ::unlink(child.c_str());
        }
      }
      ::closedir(d);
    }
    ::rmdir(p.c_str());
  }
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline json ParseJson(const std::string& text) {
  json j;
  REQUIRE_NOTHROW(j = json::parse(text));  // nlohmann rejects invalid UTF-8 too
  return j;
}

// The report without the fields that vary from run to run.
inline std::string Stable(const std::string& report_json) {
  json j = ParseJson(report_json);
  j.erase("generated_at");
  j.erase("elapsed_seconds");
  return j.dump();
}

inline size_t Count(const std::string& s, char c) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), c));
}

}  // namespace why500_cli_test
