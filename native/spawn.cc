// spawn() and the per-child handle functions (signal, liveInGroup, reap, groupPidfd, closeGroupPidfd, release,
// setRef, setPidfdEnabled).
// The parent prepares everything in SpawnRequest, clones, and either tracks the child or reaps
// the failed one and throws its {stage, errno} as a Node-style error.
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>

#include "clone.h"
#include "errors.h"
#include "exit-watcher.h"
#include "instance.h"
#include "kernel.h"
#include "orphans.h"
#include "request.h"


namespace procctl {
namespace {

Instance* LiveInstance(Napi::Env env) {
  Instance* instance = GetInstance(env);
  if (instance == nullptr || instance->tearingDown) {
    throw Napi::Error::New(env, "procctl: the environment is shutting down");
  }
  return instance;
}

// The child of a failed spawn exited 127 before the clone returned: reap it so no zombie stays.
void ReapFailed(const CloneResult& clone) {
  ExitInfo ignored;
  WaitForProcess(clone.pidfd, clone.pid, WEXITED, &ignored);
  if (clone.pidfd >= 0) close(clone.pidfd);
}

uint32_t ToId(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "id must be a number");
  return info[0].As<Napi::Number>().Uint32Value();
}

// The tracked child for an id, or null when it was reaped and forgotten (or never existed).
Child* FindChild(const Napi::CallbackInfo& info) {
  Instance* instance = GetInstance(info.Env());
  uint32_t id = ToId(info);
  if (instance == nullptr) return nullptr;
  auto it = instance->children.find(id);
  return it == instance->children.end() ? nullptr : it->second;
}

// A child that started but cannot be tracked (out of memory): kill and reap it, so the failed
// spawn leaves nothing behind.
void Discard(const CloneResult& clone) {
  if (clone.pidfd >= 0) {
    syscall(SYS_pidfd_send_signal, clone.pidfd, SIGKILL, nullptr, 0);
  } else {
    kill(clone.pid, SIGKILL);
  }
  ReapFailed(clone);
}

// Every allocation comes before the child is entered in the map, so a bad_alloc leaves nothing
// half-tracked; the caller then discards the child.
Child* Track(Instance* instance, const CloneResult& clone, Napi::Function onExit, bool hold) {
  auto child = std::make_unique<Child>();
  child->instance = instance;
  child->id = instance->nextId++;
  child->pid = clone.pid;
  child->pidfd = clone.pidfd;
  child->hold = hold;
  Child*& slot = instance->children[child->id];
  if (napi_create_reference(instance->env, onExit, 1, &child->onExit) != napi_ok) {
    instance->children.erase(child->id);
    throw Napi::Error::New(instance->env);
  }
  slot = child.release();
  WatchChild(slot);
  return slot;
}

// Clones; when the kernel rejects CLONE_PIDFD the SIGCHLD watcher is installed before the retry,
// so the exit of a short-lived child cannot come before the watcher.
CloneResult Clone(Instance* instance, SpawnPlan* plan, bool keepCallerMask) {
  if (!instance->pidfdEnabled) EnsureSigchldWatcher(instance);
  CloneResult clone = CloneChild(instance, plan, keepCallerMask);
  if (clone.pidfdRejected) {
    EnsureSigchldWatcher(instance);
    clone = CloneChild(instance, plan, keepCallerMask);
  }
  return clone;
}

}  // namespace

Napi::Value Spawn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Instance* instance = LiveInstance(env);
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "onExit must be a function");
  if (!info[2].IsBoolean()) throw Napi::TypeError::New(env, "hold must be a boolean");
  SpawnRequest request(env, info[0], false);
  SpawnPlan* plan = request.plan();
  plan->expectedParent = getpid();
  ReapExitedOrphans();
  plan->closeRange = instance->closeRangeEnabled;

  Napi::Function onExit = info[1].As<Napi::Function>();
  bool hold = info[2].As<Napi::Boolean>();

  CloneResult clone = Clone(instance, plan, !request.hasMask());
  if (clone.pid == -1) throw SystemError(env, clone.error, "clone");

  Stage stage = static_cast<Stage>(plan->error.stage);
  if (stage != Stage::None) {
    ReapFailed(clone);
    throw SpawnFailure(env, request, stage, plan->error.error);
  }

  Child* child;
  try {
    child = Track(instance, clone, onExit, hold);
  } catch (...) {
    Discard(clone);
    throw;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("id", child->id);
  result.Set("pid", child->pid);
  result.Set("pidfd", child->pidfd >= 0);
  return result;
}

Napi::Value Signal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Child* child = FindChild(info);
  if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "sig must be a number");
  int sig = info[1].As<Napi::Number>().Int32Value();
  if (child == nullptr) return Napi::Boolean::New(env, false);
  int error = 0;
  bool sent = SignalChild(child, sig, &error);
  if (error != 0) throw SystemError(env, error, child->pidfd >= 0 ? "pidfd_send_signal" : "kill");
  return Napi::Boolean::New(env, sent);
}

Napi::Value LiveInGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Child* child = FindChild(info);
  if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "pgid must be a number");
  pid_t pgid = info[1].As<Napi::Number>().Int32Value();
  return Napi::Boolean::New(env, child != nullptr && ChildIsLiveInGroup(child, pgid));
}

Napi::Value Reap(const Napi::CallbackInfo& info) {
  Child* child = FindChild(info);
  return Napi::Boolean::New(info.Env(), child != nullptr && ReapHeldChild(child));
}

Napi::Value GroupPidfd(const Napi::CallbackInfo& info) {
  Child* child = FindChild(info);
  return Napi::Number::New(info.Env(), child == nullptr ? -1 : DupGroupPidfd(child));
}

Napi::Value CloseGroupPidfdFn(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "pidfd must be a number");
  Instance* instance = GetInstance(info.Env());
  if (instance != nullptr) CloseGroupPidfd(instance, info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  Child* child = FindChild(info);
  if (child != nullptr) ReleaseChild(child);
  return info.Env().Undefined();
}

Napi::Value SetRef(const Napi::CallbackInfo& info) {
  Child* child = FindChild(info);
  if (!info[1].IsBoolean()) throw Napi::TypeError::New(info.Env(), "ref must be a boolean");
  if (child != nullptr) SetChildRef(child, info[1].As<Napi::Boolean>());
  return info.Env().Undefined();
}

Napi::Value SetPidfdEnabled(const Napi::CallbackInfo& info) {
  if (!info[0].IsBoolean()) throw Napi::TypeError::New(info.Env(), "enabled must be a boolean");
  GetInstance(info.Env())->pidfdEnabled = info[0].As<Napi::Boolean>();
  return info.Env().Undefined();
}

Napi::Value SpawnPath(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), ForkPathInUse() ? "fork" : "vfork");
}

}  // namespace procctl
