// /proc scan for process groups (see group-scan.h). Runs on the JS thread, parent side only.
#include "group-scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <vector>

#include "errors.h"
#include "fd-guard.h"

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

// A zombie ('Z'), or a process its parent has just reaped that the kernel still lists ('X').
bool Exited(char state) { return state == 'Z' || state == 'X' || state == 'x'; }

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

// The sorted process group ids in args[index] (an array), for `among`.
std::vector<int> GroupIds(const Napi::CallbackInfo& info, size_t index) {
  Napi::Env env = info.Env();
  if (!info[index].IsArray()) throw Napi::TypeError::New(env, "among must be an array of process group ids");
  std::vector<int> among;
  Napi::Array list = info[index].As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value item = list.Get(i);
    if (!item.IsNumber()) throw Napi::TypeError::New(env, "among must be an array of process group ids");
    among.push_back(item.As<Napi::Number>().Int32Value());
  }
  std::sort(among.begin(), among.end());
  return among;
}

// One pass over /proc: calls visit(pid, pgid) for every live (not Exited) process of group
// `wanted` (> 0), of the groups in `among` (filtered), or of any group. getpgid(2) answers for any
// process in one syscall, without opening and formatting its stat file: only the processes of the
// groups asked about are read further (zombie or not). Vanishing processes are skipped.
template <typename Visit>
void ScanProc(Napi::Env env, int wanted, bool filtered, const std::vector<int>& among, Visit visit) {
  FdGuard opened(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (opened.get() < 0) ThrowErrno(env, "open", "/proc");
  DIR* dir = fdopendir(opened.get());
  if (dir == nullptr) ThrowErrno(env, "fdopendir", "/proc");
  int procFd = opened.release();  // the DIR owns it now
  while (dirent* entry = readdir(dir)) {
    if (!IsPidName(entry->d_name)) continue;
    if (wanted != 0 || filtered) {
      pid_t pgid = getpgid(atoi(entry->d_name));
      if (pgid < 0 || (wanted != 0 ? pgid != wanted : !Among(among, pgid))) continue;
    }
    StatFields stat;
    if (!ReadStat(procFd, entry->d_name, &stat) || Exited(stat.state)) continue;
    if (wanted != 0 && stat.pgid != wanted) continue;
    if (filtered && !Among(among, stat.pgid)) continue;
    visit(atoi(entry->d_name), stat.pgid);
  }
  closedir(dir);  // closes procFd too
}

Napi::Array ToArray(Napi::Env env, std::vector<int>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  Napi::Array result = Napi::Array::New(env, values.size());
  for (uint32_t i = 0; i < values.size(); i++) result.Set(i, values[i]);
  return result;
}

}  // namespace

Napi::Value GroupScan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "pgid must be a number");
  int wanted = info[0].As<Napi::Number>().Int32Value();
  if (wanted < 0) throw Napi::RangeError::New(env, "pgid must be 0 or a process group id");
  // among: with pgid 0, only these groups are of interest.
  bool filtered = wanted == 0 && info.Length() > 1 && !info[1].IsUndefined();
  std::vector<int> among = filtered ? GroupIds(info, 1) : std::vector<int>();
  std::vector<int> found;
  ScanProc(env, wanted, filtered, among, [&](int pid, int pgid) { found.push_back(wanted != 0 ? pid : pgid); });
  return ToArray(env, found);
}

Napi::Value GroupWitnesses(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> among = GroupIds(info, 0);
  // pgid → the first live member found (/proc lists processes by ascending pid).
  std::map<int, int> found;
  ScanProc(env, 0, true, among, [&](int pid, int pgid) { found.emplace(pgid, pid); });
  Napi::Array result = Napi::Array::New(env, found.size());
  uint32_t i = 0;
  for (const auto& [pgid, pid] : found) {
    Napi::Array pair = Napi::Array::New(env, 2);
    pair.Set(0u, pgid);
    pair.Set(1u, pid);
    result.Set(i++, pair);
  }
  return result;
}

}  // namespace procctl
