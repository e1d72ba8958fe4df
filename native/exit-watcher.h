// Exit watching: a uv_poll_t per pidfd on the environment's own loop, or one SIGCHLD watcher per
// instance when pidfds are unavailable or disabled. onExit is called once per child.
#pragma once

#include <napi.h>

#include "instance.h"

namespace procctl {

// True when this kernel can watch exits through pidfds: pidfd_open and poll (5.3) and
// waitid(P_PIDFD) (5.4). CLONE_PIDFD alone (5.2) is not enough.
bool PidfdWatchSupported();

// True when pidfd_send_signal takes PIDFD_SIGNAL_PROCESS_GROUP (Linux 6.9; older kernels answer
// EINVAL for any flag): a signal through a leader's pidfd then reaches every task whose process
// group is that leader's struct pid, never a later group that reuses the number.
bool PidfdGroupSignalSupported();

// Starts watching a freshly spawned child (already in instance->children).
void WatchChild(Child* child);

// Makes sure the SIGCHLD fallback watcher runs; call before cloning without a pidfd.
void EnsureSigchldWatcher(Instance* instance);

// Sends sig through the pidfd (or kill() on the fallback). Returns false when already reaped.
// Returns a positive errno on failure through *error.
bool SignalChild(Child* child, int sig, int* error);

// A copy (CLOEXEC) of the child's pidfd, to signal its process group through it until
// CloseGroupPidfd, the child's reap included. -1 when the child has been reaped, has no pidfd
// (SIGCHLD fallback), group signals through pidfds are unavailable or disabled, or no fd is left.
// The instance owns the copy: CloseAllWatchers closes those still open.
int DupGroupPidfd(Child* child);

// Closes a copy DupGroupPidfd handed out; any other fd is left alone.
void CloseGroupPidfd(Instance* instance, int pidfd);

// True when the child has not exited (no zombie either) and its process group is pgid: getpgid,
// then waitid(WEXITED | WNOHANG | WNOWAIT) through its pidfd (by pid on the SIGCHLD fallback).
// False once its exit was observed, and when the exit watcher has not yet seen an exit that
// already happened. Two system calls, where reading /proc/PID/stat costs tens of microseconds on a
// machine running a thousand processes. The order matters: the pid cannot be reused while the
// child is unreaped, and only this addon reaps it.
bool ChildIsLiveInGroup(Child* child, pid_t pgid);

// Reaps a child held by WNOWAIT. Returns false when it was not held or is already reaped.
bool ReapHeldChild(Child* child);

// Stops watching and forgets the child; it is not reaped.
void ReleaseChild(Child* child);

void SetChildRef(Child* child, bool ref);

// reapAny(): collects every exited child of this process with waitid(P_ALL). Children this addon
// tracks get their exit through onExit, as if the watcher had seen it; the others are returned.
Napi::Value ReapAny(const Napi::CallbackInfo& info);

// waitid(idtype, id, options) with rusage. Returns 1 when a child was collected, 0 when none has
// exited yet (WNOHANG), -1 with errno on failure.
int WaitWithUsage(int idtype, int id, int options, ExitInfo* out);

// The same for one process: through its pidfd when it has one (>= 0), else by pid.
int WaitForProcess(int pidfd, pid_t pid, int options, ExitInfo* out);

// The NativeExit object for JavaScript.
napi_value ExitObject(napi_env env, const ExitInfo& info);

// Env teardown: closes every handle and pidfd without calling into JavaScript.
void CloseAllWatchers(Instance* instance);

}  // namespace procctl
