// Request conversion (see request.h). The native side re-checks types only; ranges are the
// TypeScript layer's job, except where a bad value could crash (signal numbers index a bitmask).
#include "request.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "errors.h"
#include "fd-guard.h"

namespace procctl {
namespace {

constexpr uint64_t kInfinity = ~0ULL;
constexpr double kMaxId = 4294967294.0;

[[noreturn]] void ThrowType(Napi::Env env, const std::string& field, const char* expected) {
  throw Napi::TypeError::New(env, "request." + field + " must be " + expected);
}

Napi::Value Field(Napi::Object object, const char* name) {
  return object.Get(name);
}

std::string ToString(Napi::Env env, Napi::Value value, const std::string& field) {
  if (!value.IsString()) ThrowType(env, field, "a string");
  std::string text = value.As<Napi::String>().Utf8Value();
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
    ThrowType(env, field, "a string without NUL bytes");
  }
  return text;
}

double ToInteger(Napi::Env env, Napi::Value value, const std::string& field, double low, double high) {
  if (!value.IsNumber()) ThrowType(env, field, "a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::floor(number) != number) ThrowType(env, field, "an integer");
  if (number < low || number > high) {
    throw Napi::RangeError::New(env, "request." + field + " is out of range: " +
                                         std::to_string(static_cast<long long>(number)));
  }
  return number;
}

int ToInt(Napi::Env env, Napi::Object object, const char* name, int low, int high) {
  return static_cast<int>(ToInteger(env, Field(object, name), name, low, high));
}

bool ToBool(Napi::Env env, Napi::Object object, const char* name) {
  Napi::Value value = Field(object, name);
  if (!value.IsBoolean()) ThrowType(env, name, "a boolean");
  return value.As<Napi::Boolean>().Value();
}

Napi::Array ToArray(Napi::Env env, Napi::Value value, const std::string& field) {
  if (!value.IsArray()) ThrowType(env, field, "an array");
  return value.As<Napi::Array>();
}

std::vector<std::string> ToStrings(Napi::Env env, Napi::Object object, const char* name) {
  Napi::Array array = ToArray(env, Field(object, name), name);
  std::vector<std::string> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    out.push_back(ToString(env, array.Get(i), std::string(name) + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::vector<int> ToInts(Napi::Env env, Napi::Value value, const std::string& field, int low, int high) {
  Napi::Array array = ToArray(env, value, field);
  std::vector<int> out;
  out.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) {
    std::string item = field + "[" + std::to_string(i) + "]";
    out.push_back(static_cast<int>(ToInteger(env, array.Get(i), item, low, high)));
  }
  return out;
}

uint64_t ToSignalSet(Napi::Env env, Napi::Value value, const std::string& field) {
  uint64_t set = 0;
  for (int sig : ToInts(env, value, field, 1, 64)) set |= 1ULL << (sig - 1);
  return set;
}

uint64_t ToLimit(Napi::Env env, Napi::Value value, const std::string& field) {
  if (!value.IsNumber()) ThrowType(env, field, "a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (number == INFINITY) return kInfinity;
  return static_cast<uint64_t>(ToInteger(env, value, field, 0, 9007199254740991.0));
}

std::vector<PlanRlimit> ToRlimits(Napi::Env env, Napi::Object object) {
  Napi::Array array = ToArray(env, Field(object, "rlimits"), "rlimits");
  std::vector<PlanRlimit> out;
  for (uint32_t i = 0; i < array.Length(); i++) {
    std::string item = "rlimits[" + std::to_string(i) + "]";
    Napi::Array entry = ToArray(env, array.Get(i), item);
    if (entry.Length() != 3) ThrowType(env, item, "a [resource, soft, hard] triple");
    PlanRlimit limit;
    limit.resource = static_cast<int>(ToInteger(env, entry.Get(0u), item + "[0]", 0, 1023));
    limit.soft = ToLimit(env, entry.Get(1u), item + "[1]");
    limit.hard = ToLimit(env, entry.Get(2u), item + "[2]");
    out.push_back(limit);
  }
  return out;
}

// Pointers into strings for a NULL-terminated argv/envp.
std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& text : strings) out.push_back(&text[0]);
  out.push_back(nullptr);
  return out;
}

// The stage-cgroup error for a path that is not a cgroup v2 directory: a v1 hierarchy, a plain
// directory, or one whose cgroup.procs is not the kernel's file (a FIFO there would block open).
[[noreturn]] void ThrowNotCgroup2(Napi::Env env, const std::string& dir, const char* what) {
  Napi::Error error = SystemError(env, EMEDIUMTYPE, "open", dir.c_str());
  error.Value().Set("message", "EMEDIUMTYPE: '" + dir + "' is not a cgroup v2 directory (" + what + ")");
  error.Value().Set("stage", "cgroup");
  throw error;
}

[[noreturn]] void ThrowCgroupErrno(Napi::Env env, int error, const char* syscall, const std::string& dir) {
  Napi::Error result = SystemError(env, error, syscall, dir.c_str());
  result.Value().Set("stage", "cgroup");
  throw result;
}

// Opened here, by the parent, so the child only writes "0" to it. The directory must be on a
// cgroup2 filesystem and cgroup.procs a regular file, and nothing here may block: O_NONBLOCK keeps
// a FIFO (or any other special file) planted under that name from stalling the event loop.
int OpenCgroupProcs(Napi::Env env, const std::string& dir) {
  FdGuard dirFd(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dirFd.get() < 0) ThrowCgroupErrno(env, errno, "open", dir);
  struct statfs fs;
  int statError = fstatfs(dirFd.get(), &fs) == 0 ? 0 : errno;
  if (statError != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
    if (statError != 0) ThrowCgroupErrno(env, statError, "statfs", dir);
    ThrowNotCgroup2(env, dir, fs.f_type == CGROUP_SUPER_MAGIC ? "it is on a cgroup v1 hierarchy" : "it is not on a cgroup2 filesystem");
  }
  FdGuard procs(openat(dirFd.get(), "cgroup.procs", O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (procs.get() < 0) ThrowCgroupErrno(env, errno, "open", dir);
  // Raw fstat: glibc 2.33 re-versioned fstat, which would lift the prebuild's glibc baseline. A
  // file bind-mounted over cgroup.procs is caught here even though the directory is cgroup2.
  struct stat st;
  if (syscall(SYS_fstat, procs.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    ThrowNotCgroup2(env, dir, "its cgroup.procs is not a regular file");
  }
  return procs.release();
}

}  // namespace

SpawnRequest::SpawnRequest(Napi::Env env, Napi::Value value, bool inPlace) {
  if (!value.IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  Napi::Object object = value.As<Napi::Object>();

  file_ = ToString(env, Field(object, "file"), "file");
  candidates_ = ToStrings(env, object, "candidates");
  if (candidates_.empty()) ThrowType(env, "candidates", "a non-empty array");
  argv_ = ToStrings(env, object, "argv");
  // envp null: the C library's environ, which Node keeps in sync with process.env on the main
  // thread; saves converting the whole environment on every spawn.
  Napi::Value envp = Field(object, "envp");
  useEnviron_ = envp.IsNull();
  if (!useEnviron_) envp_ = ToStrings(env, object, "envp");
  Napi::Value cwd = Field(object, "cwd");
  hasCwd_ = !cwd.IsNull() && !cwd.IsUndefined();
  if (hasCwd_) cwd_ = ToString(env, cwd, "cwd");

  // -2: /dev/null, opened below (once, CLOEXEC) and closed with the request, so procctl holds no
  // fd between spawns and the child never gets fd 0-2 left closed.
  fds_ = ToInts(env, Field(object, "fds"), "fds", kDevNull, 0x7fffffff);
  scratch_.assign(fds_.size(), -1);

  plan_.closeFds = ToBool(env, object, "closeFds");
  plan_.resetSignals = ToBool(env, object, "resetSignals");
  plan_.defaultSignals = ToSignalSet(env, Field(object, "defaultSignals"), "defaultSignals");
  plan_.ignoreSignals = ToSignalSet(env, Field(object, "ignoreSignals"), "ignoreSignals");
  Napi::Value mask = Field(object, "mask");
  hasMask_ = !mask.IsNull() && !mask.IsUndefined();
  if (hasMask_) plan_.mask = ToSignalSet(env, mask, "mask");

  plan_.pgid = ToInt(env, object, "pgid", -1, 0x7fffffff);
  plan_.setsid = ToBool(env, object, "setsid");
  Napi::Value takeTerminal = Field(object, "takeTerminal");
  plan_.takeTerminal = !takeTerminal.IsUndefined() && ToBool(env, object, "takeTerminal");
  // Kernel ids are 32-bit unsigned; 4294967295 is set*id's "no change" and never a real id.
  plan_.uid = static_cast<int64_t>(ToInteger(env, Field(object, "uid"), "uid", -1, kMaxId));
  plan_.gid = static_cast<int64_t>(ToInteger(env, Field(object, "gid"), "gid", -1, kMaxId));
  Napi::Value groups = Field(object, "groups");
  plan_.groupCount = -1;
  if (!groups.IsNull() && !groups.IsUndefined()) {
    Napi::Array array = ToArray(env, groups, "groups");
    for (uint32_t i = 0; i < array.Length(); i++) {
      double gid = ToInteger(env, array.Get(i), "groups[" + std::to_string(i) + "]", 0, kMaxId);
      groups_.push_back(static_cast<gid_t>(gid));
    }
    plan_.groupCount = static_cast<int>(groups_.size());
  }
  plan_.umask = ToInt(env, object, "umask", -1, 0777);
  rlimits_ = ToRlimits(env, object);
  for (const PlanRlimit& limit : rlimits_) {
    if (limit.resource == RLIMIT_NOFILE && limit.soft != kInfinity) nofileLimit_ = static_cast<int64_t>(limit.soft);
  }
  plan_.deathSignal = ToInt(env, object, "deathSignal", 0, 64);
  plan_.noNewPrivs = ToBool(env, object, "noNewPrivs");
  Napi::Value cgroup = Field(object, "cgroup");
  plan_.cgroupProcsFd = -1;
  plan_.errorPipe = -1;
  if (!cgroup.IsNull() && !cgroup.IsUndefined()) cgroup_ = ToString(env, cgroup, "cgroup");

  for (const std::string& candidate : candidates_) candidatePointers_.push_back(candidate.c_str());
  argvPointers_ = Pointers(argv_);
  envpPointers_ = Pointers(envp_);

  plan_.file = file_.c_str();
  plan_.candidates = candidatePointers_.data();
  plan_.candidateCount = static_cast<int>(candidatePointers_.size());
  plan_.argv = argvPointers_.data();
  plan_.envp = useEnviron_ ? environ : envpPointers_.data();
  plan_.cwd = hasCwd_ ? cwd_.c_str() : nullptr;
  plan_.fds = fds_.data();
  plan_.scratch = scratch_.data();
  plan_.fdCount = static_cast<int>(fds_.size());
  plan_.inPlace = inPlace;
  plan_.groups = groups_.data();
  plan_.rlimits = rlimits_.data();
  plan_.rlimitCount = static_cast<int>(rlimits_.size());

  for (int& fd : fds_) {
    if (fd != kDevNull) continue;
    if (devNullFd_.get() < 0) devNullFd_.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
    if (devNullFd_.get() < 0) {
      Napi::Error error = SystemError(env, errno, "open", "/dev/null");
      error.Value().Set("stage", "pipe");  // the stage that creates the child's stdio
      throw error;
    }
    fd = devNullFd_.get();
  }

  if (!cgroup_.empty()) plan_.cgroupProcsFd = OpenCgroupProcs(env, cgroup_);
}

SpawnRequest::~SpawnRequest() {
  if (plan_.cgroupProcsFd >= 0) close(plan_.cgroupProcsFd);
}

const char* SpawnRequest::PathFor(Stage stage) const {
  switch (stage) {
    case Stage::Exec:
      return file_.c_str();
    case Stage::Chdir:
      return cwd_.c_str();
    case Stage::Cgroup:
      return cgroup_.c_str();
    default:
      return nullptr;
  }
}

Napi::Error SpawnFailure(Napi::Env env, const SpawnRequest& request, Stage stage, int error) {
  Napi::Error result = SystemError(env, error, StageSyscall(stage), request.PathFor(stage));
  // rlimits are applied before the fd plan, so a low nofile limit makes placing the child's fds
  // fail (dup3 EBADF, F_DUPFD EINVAL): say so instead of leaving a bare EBADF.
  if (stage == Stage::Fd && request.nofileLimit() >= 0 && (error == EBADF || error == EINVAL || error == EMFILE)) {
    std::string message = result.Message() + "; rlimits.nofile (" + std::to_string(request.nofileLimit()) +
                          ") is below the fds the child needs (0-" + std::to_string(request.fdCount() - 1) +
                          " for stdio, plus room to move them)";
    result.Value().Set("message", message);
  }
  result.Value().Set("stage", StageName(stage));
  return result;
}

}  // namespace procctl
