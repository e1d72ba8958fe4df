// Instance data lifecycle. When an environment shuts down (worker exit, process exit) the async
// cleanup hook closes every uv handle and pidfd; the hook completes once the last close callback
// ran, so a worker can exit with children still running. The Instance is freed when both the
// handles are closed and the instance-data finalizer ran, whichever comes last.
#include "instance.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "clone.h"
#include "exit-watcher.h"
#include "process-watch.h"
#include "sanitizer.h"

namespace procctl {
namespace {

// PROCCTL_NO_PIDFD=1 / PROCCTL_NO_CLOSE_RANGE=1 / PROCCTL_FORK_SPAWN=1 force the fallbacks
// (tests, odd kernels, sandboxes).
bool EnvFlag(const char* name) {
  const char* value = getenv(name);
  return value != nullptr && value[0] != '\0' && !(value[0] == '0' && value[1] == '\0');
}

void FreeIfUnused(Instance* instance) {
  if (!instance->finalized || instance->openHandles > 0) return;
  if (instance->stack.base != nullptr) {
    ForgetChildFrames(instance->stack.base, instance->stack.size);
    munmap(instance->stack.base, instance->stack.size);
  }
  delete instance;
}

void CompleteCleanupIfDone(Instance* instance) {
  if (instance->openHandles > 0 || instance->cleanupHook == nullptr) return;
  napi_async_cleanup_hook_handle hook = instance->cleanupHook;
  instance->cleanupHook = nullptr;
  napi_remove_async_cleanup_hook(hook);
}

void OnEnvCleanup(napi_async_cleanup_hook_handle hook, void* data) {
  auto* instance = static_cast<Instance*>(data);
  instance->cleanupHook = hook;
  instance->tearingDown = true;
  CloseAllWatchers(instance);
  CloseAllProcessWatches(instance);
  CompleteCleanupIfDone(instance);
}

void OnFinalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  auto* instance = static_cast<Instance*>(data);
  instance->finalized = true;
  FreeIfUnused(instance);
}

}  // namespace

Instance* GetInstance(napi_env env) {
  void* data = nullptr;
  napi_get_instance_data(env, &data);
  return static_cast<Instance*>(data);
}

Instance* CreateInstance(napi_env env) {
  auto* instance = new Instance;
  instance->env = env;
  napi_get_uv_event_loop(env, &instance->loop);
  instance->pidfdEnabled = !EnvFlag("PROCCTL_NO_PIDFD") && PidfdWatchSupported();
  instance->pidfdGroupEnabled = !EnvFlag("PROCCTL_NO_PIDFD_GROUP") && PidfdGroupSignalSupported();
  instance->closeRangeEnabled = !EnvFlag("PROCCTL_NO_CLOSE_RANGE");
  if (EnvFlag("PROCCTL_FORK_SPAWN")) UseForkPath();
  napi_set_instance_data(env, instance, OnFinalize, nullptr);
  napi_add_async_cleanup_hook(env, OnEnvCleanup, instance, nullptr);
  return instance;
}

void HandleClosed(Instance* instance) {
  instance->openHandles--;
  if (instance->tearingDown) CompleteCleanupIfDone(instance);
  FreeIfUnused(instance);
}

}  // namespace procctl
