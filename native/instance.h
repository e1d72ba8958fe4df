// Per-environment state (instance data): one per Node environment, so the addon works in the
// main thread and in any number of worker threads at once.
#pragma once

#include <node_api.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <uv.h>

#include <map>
#include <set>
#include <vector>

namespace procctl {

struct Instance;
struct ProcessWatch;

// How a child ended, from waitid's siginfo and rusage.
struct ExitInfo {
  pid_t pid = 0;
  int code = -1;        // -1: did not exit normally
  int signal = 0;
  bool coreDumped = false;
  bool held = false;    // observed with WNOWAIT, still a zombie
  struct rusage usage = {};
};

// Where a tracked child is in its life. A child leaves the instance's map once it is Reaped.
enum class ChildState : uint8_t {
  Running,  // no exit reported yet
  Held,     // exit reported (onExit called), observed with WNOWAIT: a zombie until reap()
  Reaped,   // exit reported and collected: no zombie left
};

// One spawned child, tracked until it is reaped or released.
struct Child {
  Instance* instance = nullptr;
  uint32_t id = 0;
  pid_t pid = 0;
  int pidfd = -1;          // -1: watched through the SIGCHLD fallback
  ChildState state = ChildState::Running;
  bool hold = false;       // observe the exit with WNOWAIT
  bool ref = true;         // keeps the event loop alive while running
  bool polling = false;    // poll is initialized (and must be closed)
  napi_ref onExit = nullptr;
  uv_poll_t poll;
};

// The dedicated stack the vfork-style child runs on, with a guard page below it.
struct ChildStack {
  void* base = nullptr;  // start of the mapping (the guard page)
  size_t size = 0;       // whole mapping, guard included
};

struct Instance {
  napi_env env = nullptr;
  uv_loop_t* loop = nullptr;
  std::map<uint32_t, Child*> children;
  uint32_t nextId = 1;
  std::map<uint32_t, ProcessWatch*> processWatches;  // processes that are not children (process-watch.h)
  uint32_t nextWatchId = 1;
  bool pidfdEnabled = true;
  bool pidfdGroupEnabled = false;  // PIDFD_SIGNAL_PROCESS_GROUP works (off: PROCCTL_NO_PIDFD_GROUP=1)
  std::set<int> groupPidfds;       // copies handed out by groupPidfd() and not closed yet
  bool closeRangeEnabled = true;   // false: always walk /proc/self/fd (PROCCTL_NO_CLOSE_RANGE=1)
  ChildStack stack;
  uv_signal_t* sigchld = nullptr;  // fallback watcher, created on first use
  napi_ref signalCallback = nullptr;
  int openHandles = 0;             // uv handles not yet through their close callback
  bool tearingDown = false;        // env cleanup started: no new children, no JS calls
  bool finalized = false;          // instance-data finalizer ran
  napi_async_cleanup_hook_handle cleanupHook = nullptr;
};

// The instance of the calling environment.
Instance* GetInstance(napi_env env);

// Registers the instance data and the env cleanup hook.
Instance* CreateInstance(napi_env env);

// Called when a uv handle owned by the instance finished closing.
void HandleClosed(Instance* instance);

// uv close callback for a handle embedded in the T it belongs to (handle->data, with an `instance`
// member): frees the T once the loop is done with the handle.
template <typename T>
void FreeOnClose(uv_handle_t* handle) {
  T* owner = static_cast<T*>(handle->data);
  Instance* instance = owner->instance;
  delete owner;
  HandleClosed(instance);
}

}  // namespace procctl
