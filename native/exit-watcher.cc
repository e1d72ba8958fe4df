// Exit watching (see exit-watcher.h). Everything here runs on the environment's loop thread.
// A pidfd turns readable once its process has exited; the raw waitid(P_PIDFD) then returns the
// status and the rusage together. Work per readable event is one waitid, so a burst of exits is
// spread over loop turns the way epoll hands them out, and timers keep firing.
#include "exit-watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>

#include "js-callback.h"
#include "kernel.h"
#include "orphans.h"


namespace procctl {
namespace {

double Millis(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1000.0 + static_cast<double>(tv.tv_usec) / 1000.0;
}

void SetNumber(napi_env env, napi_value object, const char* name, double value) {
  napi_value number;
  napi_create_double(env, value, &number);
  napi_set_named_property(env, object, name, number);
}

void SetBool(napi_env env, napi_value object, const char* name, bool value) {
  napi_value boolean;
  napi_get_boolean(env, value, &boolean);
  napi_set_named_property(env, object, name, boolean);
}

napi_value UsageObject(napi_env env, const struct rusage& usage) {
  napi_value object;
  napi_create_object(env, &object);
  SetNumber(env, object, "userCpuMs", Millis(usage.ru_utime));
  SetNumber(env, object, "systemCpuMs", Millis(usage.ru_stime));
  SetNumber(env, object, "maxRssKb", static_cast<double>(usage.ru_maxrss));
  SetNumber(env, object, "minorFaults", static_cast<double>(usage.ru_minflt));
  SetNumber(env, object, "majorFaults", static_cast<double>(usage.ru_majflt));
  SetNumber(env, object, "voluntaryContextSwitches", static_cast<double>(usage.ru_nvcsw));
  SetNumber(env, object, "involuntaryContextSwitches", static_cast<double>(usage.ru_nivcsw));
  SetNumber(env, object, "inBlocks", static_cast<double>(usage.ru_inblock));
  SetNumber(env, object, "outBlocks", static_cast<double>(usage.ru_oublock));
  return object;
}

}  // namespace

napi_value ExitObject(napi_env env, const ExitInfo& info) {
  napi_value object;
  napi_create_object(env, &object);
  SetNumber(env, object, "pid", info.pid);
  if (info.code >= 0) {
    SetNumber(env, object, "code", info.code);
  } else {
    napi_value null;
    napi_get_null(env, &null);
    napi_set_named_property(env, object, "code", null);
  }
  SetNumber(env, object, "signal", info.signal);
  SetBool(env, object, "coreDumped", info.coreDumped);
  napi_set_named_property(env, object, "rusage", UsageObject(env, info.usage));
  SetBool(env, object, "held", info.held);
  return object;
}

namespace {

void CallOnExit(Instance* instance, napi_ref onExit, const ExitInfo& info) {
  CallReferenced(instance->env, onExit, [&info](napi_env env) { return ExitObject(env, info); });
}

void UpdateSigchldRef(Instance* instance) {
  if (instance->sigchld == nullptr) return;
  bool needed = false;
  for (const auto& entry : instance->children) {
    const Child* child = entry.second;
    if (child->pidfd < 0 && child->state == ChildState::Running && child->ref) needed = true;
  }
  if (needed) {
    uv_ref(reinterpret_cast<uv_handle_t*>(instance->sigchld));
  } else {
    uv_unref(reinterpret_cast<uv_handle_t*>(instance->sigchld));
  }
}

// Forgets a child: drops it from the map, stops its watcher, closes its pidfd. The Child object
// lives on until its poll handle finished closing.
void Forget(Child* child) {
  Instance* instance = child->instance;
  instance->children.erase(child->id);
  if (child->onExit != nullptr) {
    napi_delete_reference(instance->env, child->onExit);
    child->onExit = nullptr;
  }
  if (child->polling) {
    // uv_close takes the fd out of epoll at once, so the pidfd can be closed right after.
    uv_close(reinterpret_cast<uv_handle_t*>(&child->poll), FreeOnClose<Child>);
    child->polling = false;
    if (child->pidfd >= 0) close(child->pidfd);
    child->pidfd = -1;
  } else {
    if (child->pidfd >= 0) close(child->pidfd);
    delete child;
  }
  UpdateSigchldRef(instance);
}

// Reports an exit once. A held child stays tracked (zombie) until reap/release; any other is
// forgotten before onExit runs, so the callback already sees it as reaped.
void Report(Child* child, ExitInfo info) {
  Instance* instance = child->instance;
  if (child->polling) uv_poll_stop(&child->poll);
  child->state = info.held ? ChildState::Held : ChildState::Reaped;
  napi_ref onExit = child->onExit;
  child->onExit = nullptr;
  if (!info.held) Forget(child);
  UpdateSigchldRef(instance);
  if (onExit != nullptr) {
    CallOnExit(instance, onExit, info);
    napi_delete_reference(instance->env, onExit);
  }
}

int WaitOptions(const Child* child) {
  return WEXITED | WNOHANG | (child->hold ? WNOWAIT : 0);
}

// One waitid for one child. Returns true when it had exited (info filled).
bool Collect(Child* child, ExitInfo* info) {
  int found = WaitForProcess(child->pidfd, child->pid, WaitOptions(child), info);
  if (found == 0) return false;
  if (found < 0) {
    // Someone else reaped it (a foreign waitpid(-1)): the status is lost, but it is gone.
    *info = ExitInfo();
    info->pid = child->pid;
    return errno == ECHILD;
  }
  info->held = child->hold;
  return true;
}

void OnPollReadable(uv_poll_t* handle, int status, int events) {
  (void)status;
  (void)events;
  Child* child = static_cast<Child*>(handle->data);
  ExitInfo info;
  if (!Collect(child, &info)) return;
  Report(child, info);
}

// SIGCHLD coalesces, so every tracked fallback child is checked. onExit may spawn, release or
// reap other children, so the walk resumes from the next id after each child instead of holding
// an iterator (and allocates nothing: this runs from the loop, outside any C++ exception guard).
void OnSigchld(uv_signal_t* handle, int signum) {
  (void)signum;
  Instance* instance = static_cast<Instance*>(handle->data);
  uint64_t next = 0;
  while (next <= UINT32_MAX) {
    auto it = instance->children.lower_bound(static_cast<uint32_t>(next));
    if (it == instance->children.end()) break;
    next = static_cast<uint64_t>(it->first) + 1;
    Child* child = it->second;
    if (child->pidfd >= 0 || child->state != ChildState::Running) continue;
    ExitInfo info;
    if (Collect(child, &info)) Report(child, info);
  }
}

void OnSigchldClosed(uv_handle_t* handle) {
  Instance* instance = static_cast<Instance*>(handle->data);
  delete reinterpret_cast<uv_signal_t*>(handle);
  HandleClosed(instance);
}

}  // namespace

int WaitWithUsage(int idtype, int id, int options, ExitInfo* out) {
  siginfo_t info = {};
  struct rusage usage = {};
  long result;
  do {
    result = syscall(SYS_waitid, idtype, id, &info, options, &usage);
  } while (result == -1 && errno == EINTR);
  if (result == -1) return -1;
  if (info.si_pid == 0) return 0;
  *out = ExitInfo();
  out->pid = info.si_pid;
  out->usage = usage;
  if (info.si_code == CLD_EXITED) {
    out->code = info.si_status;
  } else {
    out->signal = info.si_status;
    out->coreDumped = info.si_code == CLD_DUMPED;
  }
  out->held = (options & WNOWAIT) != 0;
  return 1;
}

int WaitForProcess(int pidfd, pid_t pid, int options, ExitInfo* out) {
  return pidfd >= 0 ? WaitWithUsage(P_PIDFD, pidfd, options, out) : WaitWithUsage(P_PID, pid, options, out);
}

bool PidfdWatchSupported() {
  long pidfd = syscall(SYS_pidfd_open, getpid(), 0);
  if (pidfd < 0) return false;
  // Our own process is not our child: ECHILD where P_PIDFD exists, EINVAL where it does not.
  siginfo_t info;
  long result = syscall(SYS_waitid, P_PIDFD, pidfd, &info, WEXITED | WNOHANG, nullptr);
  bool supported = result == 0 || errno != EINVAL;
  close(static_cast<int>(pidfd));
  return supported;
}

bool PidfdGroupSignalSupported() {
  long pidfd = syscall(SYS_pidfd_open, getpid(), 0);
  if (pidfd < 0) return false;
  // Signal 0 to the group this process leads: EINVAL where the flag does not exist; where it
  // does, 0, or ESRCH when this process leads no group (no process has its pid as their pgid).
  long result = syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, PIDFD_SIGNAL_PROCESS_GROUP);
  bool supported = result == 0 || errno != EINVAL;
  close(static_cast<int>(pidfd));
  return supported;
}

void EnsureSigchldWatcher(Instance* instance) {
  if (instance->sigchld != nullptr) return;
  auto* handle = new uv_signal_t;
  uv_signal_init(instance->loop, handle);
  handle->data = instance;
  instance->openHandles++;
  uv_signal_start(handle, OnSigchld, SIGCHLD);
  instance->sigchld = handle;
  UpdateSigchldRef(instance);
}

void WatchChild(Child* child) {
  Instance* instance = child->instance;
  if (child->pidfd >= 0) {
    uv_poll_init(instance->loop, &child->poll, child->pidfd);
    child->poll.data = child;
    child->polling = true;
    instance->openHandles++;
    uv_poll_start(&child->poll, UV_READABLE, OnPollReadable);
  } else {
    UpdateSigchldRef(instance);
    // The child may have exited before it was tracked; the SIGCHLD it sent is still queued on
    // the loop, so the next OnSigchld collects it.
  }
}

bool SignalChild(Child* child, int sig, int* error) {
  *error = 0;
  if (child->state == ChildState::Reaped) return false;
  long result = child->pidfd >= 0 ? syscall(SYS_pidfd_send_signal, child->pidfd, sig, nullptr, 0)
                                  : kill(child->pid, sig);
  if (result == 0) return true;
  if (errno == ESRCH) return false;
  *error = errno;
  return false;
}

int DupGroupPidfd(Child* child) {
  Instance* instance = child->instance;
  if (!instance->pidfdGroupEnabled || child->pidfd < 0 || child->state == ChildState::Reaped) return -1;
  int pidfd = fcntl(child->pidfd, F_DUPFD_CLOEXEC, 3);
  if (pidfd < 0) return -1;
  try {
    instance->groupPidfds.insert(pidfd);
  } catch (...) {
    close(pidfd);
    return -1;
  }
  return pidfd;
}

void CloseGroupPidfd(Instance* instance, int pidfd) {
  if (instance->groupPidfds.erase(pidfd) != 0) close(pidfd);
}

bool ChildIsLiveInGroup(Child* child, pid_t pgid) {
  if (child->state != ChildState::Running || getpgid(child->pid) != pgid) return false;
  ExitInfo info;
  return WaitForProcess(child->pidfd, child->pid, WEXITED | WNOHANG | WNOWAIT, &info) == 0;
}

bool ReapHeldChild(Child* child) {
  if (child->state != ChildState::Held) return false;
  ExitInfo info;
  WaitForProcess(child->pidfd, child->pid, WEXITED, &info);
  child->state = ChildState::Reaped;
  Forget(child);
  return true;
}

void ReleaseChild(Child* child) {
  Forget(child);
}

void SetChildRef(Child* child, bool ref) {
  child->ref = ref;
  if (child->polling) {
    if (ref) {
      uv_ref(reinterpret_cast<uv_handle_t*>(&child->poll));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(&child->poll));
    }
  }
  UpdateSigchldRef(child->instance);
}

namespace {

// An exit collected with waitid(P_ALL) for a tracked child (which is Running or Held: Reaped ones
// are no longer tracked): deliver it as if the watcher had seen it.
void DeliverCollectedExit(Child* child, ExitInfo info) {
  if (child->state == ChildState::Held) {
    // A held child reaped behind our back: it is no longer a zombie.
    child->state = ChildState::Reaped;
    Forget(child);
    return;
  }
  info.held = false;
  child->hold = false;
  Report(child, info);
}

// At teardown nobody is left to call reap() or to watch: a child that already exited (a held
// zombie, or an exit not yet seen by the loop) is reaped now; one still running goes to the
// orphan list, which the next spawn of any environment sweeps. Either way no zombie stays for the
// life of the process.
void ReapOrAdopt(Child* child) {
  if (child->state == ChildState::Reaped) return;
  ExitInfo ignored;
  int found = WaitForProcess(child->pidfd, child->pid, WEXITED | WNOHANG, &ignored);
  if (found != 0) return;  // reaped now, or already gone (ECHILD)
  int pidfd = child->pidfd >= 0 ? fcntl(child->pidfd, F_DUPFD_CLOEXEC, 3) : -1;
  // Without a pidfd copy (no fd left) the pid still identifies it: it is our unreaped child.
  AdoptOrphan(child->pid, pidfd);
}

}  // namespace

Napi::Value ReapAny(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Instance* instance = GetInstance(env);
  std::vector<ExitInfo> untracked;
  std::vector<std::pair<uint32_t, ExitInfo>> tracked;
  for (;;) {
    ExitInfo exit;
    if (WaitWithUsage(P_ALL, 0, WEXITED | WNOHANG, &exit) != 1) break;
    exit.held = false;
    bool ours = false;
    for (const auto& entry : instance->children) {
      if (entry.second->pid == exit.pid) {
        tracked.emplace_back(entry.first, exit);
        ours = true;
        break;
      }
    }
    if (!ours) untracked.push_back(exit);
  }
  // Children this addon tracks get their exit through onExit, as if the watcher had seen it.
  for (const auto& entry : tracked) {
    auto it = instance->children.find(entry.first);
    if (it != instance->children.end()) DeliverCollectedExit(it->second, entry.second);
  }
  Napi::Array result = Napi::Array::New(env, untracked.size());
  for (uint32_t i = 0; i < untracked.size(); i++) {
    result.Set(i, Napi::Value(env, ExitObject(env, untracked[i])));
  }
  return result;
}

void CloseAllWatchers(Instance* instance) {
  // Forget() erases the child from the map; nothing is allocated here (environment teardown).
  while (!instance->children.empty()) {
    Child* child = instance->children.begin()->second;
    ReapOrAdopt(child);
    Forget(child);
  }
  for (int pidfd : instance->groupPidfds) close(pidfd);
  instance->groupPidfds.clear();
  if (instance->sigchld != nullptr) {
    uv_close(reinterpret_cast<uv_handle_t*>(instance->sigchld), OnSigchldClosed);
    instance->sigchld = nullptr;
  }
}

}  // namespace procctl
