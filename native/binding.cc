// Registers the native functions (see lib/native.ts for the contract). Context-aware: each
// environment (main thread, every worker) gets its own Instance.
#include <errno.h>
#include <napi.h>
#include <stdio.h>

#include <exception>
#include <new>

#include "exec-in-place.h"
#include "exit-watcher.h"
#include "group-scan.h"
#include "instance.h"
#include "primitives.h"
#include "process-watch.h"
#include "sock-diag.h"
#include "spawn.h"

namespace procctl {
namespace {

struct Entry {
  const char* name;
  Napi::Value (*function)(const Napi::CallbackInfo&);
};

constexpr Entry kFunctions[] = {
    {"spawn", Spawn},
    {"signal", Signal},
    {"liveInGroup", LiveInGroup},
    {"reap", Reap},
    {"groupPidfd", GroupPidfd},
    {"closeGroupPidfd", CloseGroupPidfdFn},
    {"release", Release},
    {"setRef", SetRef},
    {"setPidfdEnabled", SetPidfdEnabled},
    {"spawnPath", SpawnPath},
    {"kill", Kill},
    {"killpg", Killpg},
    {"signalGroupPidfd", SignalGroupPidfd},
    {"setpgid", Setpgid},
    {"getpgid", Getpgid},
    {"setsid", Setsid},
    {"getsid", Getsid},
    {"tcgetpgrp", Tcgetpgrp},
    {"tcsetpgrp", Tcsetpgrp},
    {"waitJobState", WaitJobState},
    {"resetSignalMask", ResetSignalMask},
    {"getSignalDispositions", GetSignalDispositions},
    {"setSignalDisposition", SetSignalDisposition},
    {"setSignalMask", SetSignalMask},
    {"holdSignals", HoldSignals},
    {"setChildSubreaper", SetChildSubreaper},
    {"getChildSubreaper", GetChildSubreaper},
    {"setDeathSignal", SetDeathSignal},
    {"cloexecFrom", CloexecFrom},
    {"execve", ExecInPlace},
    {"reapAny", ReapAny},
    {"pipe", Pipe},
    {"close", Close},
    {"unixSocketPeers", UnixSocketPeers},
    {"groupScan", GroupScan},
    {"groupWitnesses", GroupWitnesses},
    {"watchProcessExit", WatchProcessExit},
    {"unwatchProcessExit", UnwatchProcessExit},
};

// A Node-style ENOMEM error (code, errno) made without touching the C++ heap.
void ThrowOutOfMemory(napi_env env, const char* function) {
  char text[96];
  snprintf(text, sizeof text, "ENOMEM: cannot allocate memory, %s", function);
  napi_value code, message, error, errnoValue;
  if (napi_create_string_utf8(env, "ENOMEM", NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, code, message, &error) != napi_ok) {
    napi_throw_error(env, "ENOMEM", "ENOMEM: cannot allocate memory");
    return;
  }
  if (napi_create_int32(env, -ENOMEM, &errnoValue) == napi_ok) {
    napi_set_named_property(env, error, "errno", errnoValue);
  }
  napi_throw(env, error);
}

// node-addon-api turns only Napi::Error into a JavaScript exception; a std::bad_alloc (a request
// copied while the address space is exhausted) would unwind into V8 and terminate the process.
// It becomes an ENOMEM error instead, built through the C API alone since the heap is exhausted.
Napi::Value Dispatch(const Napi::CallbackInfo& info) {
  const auto* entry = static_cast<const Entry*>(info.Data());
  try {
    return entry->function(info);
  } catch (const Napi::Error& e) {
    // Our own errors (a std::exception too): thrown as they are, with code, errno and stage.
    e.ThrowAsJavaScriptException();
    return Napi::Value();
  } catch (const std::bad_alloc&) {
    ThrowOutOfMemory(info.Env(), entry->name);
    return Napi::Value();
  } catch (const std::exception& e) {
    // Any other library exception (length_error, ...) is a bug, but not one worth an abort.
    napi_throw_error(info.Env(), nullptr, e.what());
    return Napi::Value();
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  CreateInstance(env);
  for (const Entry& entry : kFunctions) {
    void* data = const_cast<Entry*>(&entry);
    exports.Set(entry.name, Napi::Function::New(env, Dispatch, entry.name, data));
  }
  exports.Set("constants", Constants(env));
  return exports;
}

}  // namespace
}  // namespace procctl

static Napi::Object InitProcctl(Napi::Env env, Napi::Object exports) {
  return procctl::Init(env, exports);
}

NODE_API_MODULE(procctl, InitProcctl)
