// Realtime (and other) signal watchers for JS (see signal-watch.h).
#include "signal-watch.h"

#include <signal.h>
#include <uv.h>

#include <vector>

#include "instance.h"
#include "js-callback.h"

namespace procctl {
namespace {

void OnWatcherClosed(uv_handle_t* handle) {
  Instance* instance = static_cast<Instance*>(handle->data);
  delete reinterpret_cast<uv_signal_t*>(handle);
  HandleClosed(instance);
}

void OnSignal(uv_signal_t* handle, int signum) {
  Instance* instance = static_cast<Instance*>(handle->data);
  if (instance->tearingDown || instance->signalCallback == nullptr) return;
  CallReferenced(instance->env, instance->signalCallback, [signum](napi_env env) {
    napi_value argument = nullptr;
    napi_create_int32(env, signum, &argument);
    return argument;
  });
}

}  // namespace

void CloseSignalWatchers(Instance* instance) {
  while (!instance->signalWatchers.empty()) {
    uv_signal_t* handle = instance->signalWatchers.back();
    instance->signalWatchers.pop_back();
    uv_close(reinterpret_cast<uv_handle_t*>(handle), OnWatcherClosed);
  }
  if (instance->signalCallback != nullptr) {
    napi_delete_reference(instance->env, instance->signalCallback);
    instance->signalCallback = nullptr;
  }
}

Napi::Value WatchSignals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "signals must be an array");
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "callback must be a function");
  Napi::Array list = info[0].As<Napi::Array>();
  std::vector<int> signals;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value value = list.Get(i);
    if (!value.IsNumber()) throw Napi::TypeError::New(env, "signals must hold numbers");
    int signo = value.As<Napi::Number>().Int32Value();
    if (signo < 1 || signo > 64 || signo == SIGKILL || signo == SIGSTOP || signo == 32 || signo == 33) {
      throw Napi::RangeError::New(env, "signal " + std::to_string(signo) + " cannot be watched");
    }
    signals.push_back(signo);
  }
  Instance* instance = GetInstance(env);
  if (instance->tearingDown) throw Napi::Error::New(env, "the environment is shutting down");
  CloseSignalWatchers(instance);
  instance->signalWatchers.reserve(signals.size());
  napi_ref callback = nullptr;
  if (napi_create_reference(env, info[1], 1, &callback) != napi_ok) {
    throw Napi::Error::New(env, "cannot keep the callback");
  }
  instance->signalCallback = callback;
  for (int signo : signals) {
    auto* handle = new uv_signal_t;
    uv_signal_init(instance->loop, handle);
    handle->data = instance;
    instance->openHandles++;
    instance->signalWatchers.push_back(handle);  // reserved above: no reallocation
    int error = uv_signal_start(handle, OnSignal, signo);
    uv_unref(reinterpret_cast<uv_handle_t*>(handle));
    if (error != 0) {
      CloseSignalWatchers(instance);
      throw Napi::Error::New(env, std::string("uv_signal_start: ") + uv_strerror(error));
    }
  }
  return env.Undefined();
}

Napi::Value UnwatchSignals(const Napi::CallbackInfo& info) {
  CloseSignalWatchers(GetInstance(info.Env()));
  return info.Env().Undefined();
}

}  // namespace procctl
