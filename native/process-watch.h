// Watching a process that is not this process's child: pidfd_open(2) and a uv_poll_t on the
// environment's loop. The pidfd turns readable once the process has exited (a zombie counts as
// exited); nothing is collected, the process's parent still reaps it. The group waits (lib/group/members.ts)
// use it to be woken when a member they saw alive is gone, instead of polling /proc on a timer.
#pragma once

#include <napi.h>

#include "instance.h"

namespace procctl {

// watchProcessExit(pid, onGone): an id > 0 while watching; 0 when the process is already gone;
// -1 when pidfds are unavailable here (the caller polls instead). onGone() is called once, from
// the event loop; the watch keeps the loop alive until then or until unwatchProcessExit(id).
Napi::Value WatchProcessExit(const Napi::CallbackInfo& info);

// unwatchProcessExit(id): stop watching (no call); an id already reported or unknown is ignored.
Napi::Value UnwatchProcessExit(const Napi::CallbackInfo& info);

// Env teardown: closes every watch without calling into JavaScript.
void CloseAllProcessWatches(Instance* instance);

}  // namespace procctl
