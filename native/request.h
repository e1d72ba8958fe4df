// Turns the JavaScript spawn request into the plain SpawnPlan, checking types on the way. Owns
// every buffer the plan points into, so the plan stays valid for the lifetime of this object.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "fd-guard.h"
#include "spawn-plan.h"

namespace procctl {

// request.fds[i] == kDevNull: child fd i is /dev/null.
constexpr int kDevNull = -2;

class SpawnRequest {
 public:
  // Throws TypeError/RangeError naming the field, or a system error when the cgroup cannot be
  // opened. inPlace: the plan is for execve in this process.
  SpawnRequest(Napi::Env env, Napi::Value value, bool inPlace);
  ~SpawnRequest();
  SpawnRequest(const SpawnRequest&) = delete;
  SpawnRequest& operator=(const SpawnRequest&) = delete;

  SpawnPlan* plan() { return &plan_; }
  // True when the request gave an explicit mask (else the caller's mask is kept).
  bool hasMask() const { return hasMask_; }
  // error.path for a failed stage: the file for exec, the cwd for chdir, the cgroup for cgroup.
  const char* PathFor(Stage stage) const;
  // The soft RLIMIT_NOFILE the request sets, or -1 when it sets none.
  int64_t nofileLimit() const { return nofileLimit_; }
  // How many child fds the plan places (0 ..= count - 1).
  int fdCount() const { return plan_.fdCount; }

 private:
  std::string file_;
  std::vector<std::string> candidates_;
  std::vector<std::string> argv_;
  std::vector<std::string> envp_;
  std::vector<const char*> candidatePointers_;
  std::vector<char*> argvPointers_;
  std::vector<char*> envpPointers_;
  std::string cwd_;
  bool hasCwd_ = false;
  std::vector<int> fds_;
  std::vector<int> scratch_;
  std::vector<gid_t> groups_;
  std::vector<PlanRlimit> rlimits_;
  std::string cgroup_;
  FdGuard devNullFd_{-1};  // a member, so a throwing constructor closes it too
  int64_t nofileLimit_ = -1;
  bool hasMask_ = false;
  bool useEnviron_ = false;  // envp was null: pass environ
  SpawnPlan plan_ = {};
};

// The request's error as a JavaScript Error (code, errno, syscall, stage, path).
Napi::Error SpawnFailure(Napi::Env env, const SpawnRequest& request, Stage stage, int error);

}  // namespace procctl
