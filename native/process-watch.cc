// See process-watch.h. Everything here runs on the environment's loop thread.
#include "process-watch.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "js-callback.h"

namespace procctl {

// One watched process. Lives until its poll handle finished closing.
struct ProcessWatch {
  Instance* instance = nullptr;
  uint32_t id = 0;
  int pidfd = -1;
  napi_ref onGone = nullptr;
  uv_poll_t poll;
};

namespace {

// Drops the watch from the instance, closes its handle and pidfd; returns its callback (the
// caller deletes the reference).
napi_ref Forget(ProcessWatch* watch) {
  Instance* instance = watch->instance;
  instance->processWatches.erase(watch->id);
  napi_ref onGone = watch->onGone;
  watch->onGone = nullptr;
  // uv_close takes the fd out of epoll at once, so the pidfd can be closed right after.
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->poll), FreeOnClose<ProcessWatch>);
  close(watch->pidfd);
  watch->pidfd = -1;
  return onGone;
}

void OnReadable(uv_poll_t* handle, int status, int events) {
  (void)status;
  (void)events;
  auto* watch = static_cast<ProcessWatch*>(handle->data);
  Instance* instance = watch->instance;
  napi_ref onGone = Forget(watch);
  if (onGone == nullptr) return;
  CallReferenced(instance->env, onGone, [](napi_env env) {
    napi_value undefined;
    napi_get_undefined(env, &undefined);
    return undefined;
  });
  napi_delete_reference(instance->env, onGone);
}

}  // namespace

Napi::Value WatchProcessExit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "pid must be a number");
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "onGone must be a function");
  int pid = info[0].As<Napi::Number>().Int32Value();
  if (pid <= 0) throw Napi::RangeError::New(env, "pid must be a positive integer");
  Instance* instance = GetInstance(env);
  if (instance->tearingDown || !instance->pidfdEnabled) return Napi::Number::New(env, -1);
  long pidfd = syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    if (errno == ESRCH) return Napi::Number::New(env, 0);
    if (errno == ENOSYS || errno == EINVAL) return Napi::Number::New(env, -1);
    ThrowErrno(env, "pidfd_open", nullptr);
  }
  auto* watch = new ProcessWatch;
  watch->instance = instance;
  watch->id = instance->nextWatchId++;
  if (instance->nextWatchId == 0) instance->nextWatchId = 1;
  watch->pidfd = static_cast<int>(pidfd);
  napi_create_reference(env, info[1], 1, &watch->onGone);
  uv_poll_init(instance->loop, &watch->poll, watch->pidfd);
  watch->poll.data = watch;
  instance->openHandles++;
  instance->processWatches[watch->id] = watch;
  uv_poll_start(&watch->poll, UV_READABLE, OnReadable);
  return Napi::Number::New(env, watch->id);
}

Napi::Value UnwatchProcessExit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "id must be a number");
  Instance* instance = GetInstance(env);
  auto it = instance->processWatches.find(info[0].As<Napi::Number>().Uint32Value());
  if (it != instance->processWatches.end()) {
    napi_ref onGone = Forget(it->second);
    if (onGone != nullptr) napi_delete_reference(env, onGone);
  }
  return env.Undefined();
}

void CloseAllProcessWatches(Instance* instance) {
  // Forget() erases the watch from the map; nothing is allocated here (environment teardown).
  while (!instance->processWatches.empty()) {
    napi_ref onGone = Forget(instance->processWatches.begin()->second);
    if (onGone != nullptr) napi_delete_reference(instance->env, onGone);
  }
}

}  // namespace procctl
