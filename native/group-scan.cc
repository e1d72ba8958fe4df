// /proc scan for process groups (see group-scan.h). Runs on the JS thread, parent side only.
#include "group-scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "errors.h"

namespace procctl {
namespace {

struct StatFields {
  char state;
  int pgid;
};

// Reads "pid (comm) S ppid pgrp ..." from /proc/<name>/stat. comm may contain spaces and ')', so
// the fields are parsed after the last ')'. False when the process is gone or the line is odd.
bool ReadStat(int procFd, const char* name, StatFields* out) {
  char path[32];
  size_t length = strlen(name);
  if (length > 20) return false;
  memcpy(path, name, length);
  memcpy(path + length, "/stat", 6);
  int fd = openat(procFd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[1024];
  ssize_t count = read(fd, buffer, sizeof(buffer) - 1);
  close(fd);
  if (count <= 0) return false;
  buffer[count] = '\0';
  char* paren = strrchr(buffer, ')');
  if (paren == nullptr || paren[1] != ' ' || paren[2] == '\0') return false;
  out->state = paren[2];
  char* cursor = paren + 3;
  char* end = nullptr;
  strtol(cursor, &end, 10);  // ppid
  if (end == cursor) return false;
  cursor = end;
  long pgid = strtol(cursor, &end, 10);
  if (end == cursor) return false;
  out->pgid = static_cast<int>(pgid);
  return true;
}

bool IsPidName(const char* name) {
  if (*name == '\0') return false;
  for (const char* c = name; *c != '\0'; c++) {
    if (*c < '0' || *c > '9') return false;
  }
  return true;
}

// True when pgid is one of the sorted ids in `among`.
bool Among(const std::vector<int>& among, int pgid) {
  return std::binary_search(among.begin(), among.end(), pgid);
}

}  // namespace

Napi::Value GroupScan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "pgid must be a number");
  int wanted = info[0].As<Napi::Number>().Int32Value();
  if (wanted < 0) throw Napi::RangeError::New(env, "pgid must be 0 or a process group id");
  // among: with pgid 0, only these groups are of interest (sorted here).
  bool filtered = info.Length() > 1 && !info[1].IsUndefined();
  std::vector<int> among;
  if (filtered) {
    if (!info[1].IsArray()) throw Napi::TypeError::New(env, "among must be an array of process group ids");
    Napi::Array list = info[1].As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); i++) {
      Napi::Value item = list.Get(i);
      if (!item.IsNumber()) throw Napi::TypeError::New(env, "among must be an array of process group ids");
      among.push_back(item.As<Napi::Number>().Int32Value());
    }
    std::sort(among.begin(), among.end());
  }

  int procFd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (procFd < 0) ThrowErrno(env, "open", "/proc");
  DIR* dir = fdopendir(procFd);
  if (dir == nullptr) {
    int error = errno;
    close(procFd);
    errno = error;
    ThrowErrno(env, "fdopendir", "/proc");
  }
  std::vector<int> found;
  while (dirent* entry = readdir(dir)) {
    if (!IsPidName(entry->d_name)) continue;
    // getpgid(2) answers for any process in one syscall, without opening and formatting its stat
    // file: only the processes of the groups asked about are read further (zombie or not).
    if (wanted != 0 || filtered) {
      pid_t pgid = getpgid(atoi(entry->d_name));
      if (pgid < 0 || (wanted != 0 ? pgid != wanted : !Among(among, pgid))) continue;
    }
    StatFields stat;
    if (!ReadStat(procFd, entry->d_name, &stat) || stat.state == 'Z') continue;
    if (wanted == 0) {
      if (!filtered || Among(among, stat.pgid)) found.push_back(stat.pgid);
    } else if (stat.pgid == wanted) {
      found.push_back(atoi(entry->d_name));
    }
  }
  closedir(dir);  // closes procFd too
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  Napi::Array result = Napi::Array::New(env, found.size());
  for (uint32_t i = 0; i < found.size(); i++) result.Set(i, found[i]);
  return result;
}

}  // namespace procctl
