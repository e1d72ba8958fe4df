// JavaScript entry points for spawning and for the per-child handle (see lib/native.ts).
#pragma once

#include <napi.h>

namespace procctl {

// spawn(request, onExit, hold): create a child and start watching its exit.
Napi::Value Spawn(const Napi::CallbackInfo& info);
// signal(id, sig): through the child's pidfd (kill() on the SIGCHLD fallback).
Napi::Value Signal(const Napi::CallbackInfo& info);
// liveInGroup(id, pgid): the child has not exited and its process group is pgid.
Napi::Value LiveInGroup(const Napi::CallbackInfo& info);
// reap(id): collect a child held as a zombie by WNOWAIT.
Napi::Value Reap(const Napi::CallbackInfo& info);
// groupPidfd(id): a copy of the child's pidfd for signalling its group (-1: unavailable).
Napi::Value GroupPidfd(const Napi::CallbackInfo& info);
// closeGroupPidfd(fd): close a copy groupPidfd handed out.
Napi::Value CloseGroupPidfdFn(const Napi::CallbackInfo& info);
// release(id): stop watching; the child runs on, unreaped.
Napi::Value Release(const Napi::CallbackInfo& info);
// setRef(id, ref): whether the child's watcher keeps the event loop alive.
Napi::Value SetRef(const Napi::CallbackInfo& info);
// setPidfdEnabled(on): force the SIGCHLD fallback for later spawns (tests, old kernels).
Napi::Value SetPidfdEnabled(const Napi::CallbackInfo& info);
// spawnPath(): 'vfork' or 'fork', how this process clones.
Napi::Value SpawnPath(const Napi::CallbackInfo& info);

}  // namespace procctl
