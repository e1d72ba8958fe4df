// Calling JavaScript from a uv callback (exit watchers, signal watchers).
#pragma once

#include <node_api.h>

namespace procctl {

// Calls the function behind `callback` with one argument built by makeArgument (inside a handle
// scope opened here), through napi_make_callback so microtasks and async hooks run as for any
// other event-loop callback. An exception it throws becomes an uncaught exception of the
// environment; a terminating worker (no exception value) is left alone.
void CallReferencedWith(napi_env env, napi_ref callback, napi_value (*make)(napi_env, const void*),
                        const void* data);

template <typename MakeArgument>
void CallReferenced(napi_env env, napi_ref callback, MakeArgument makeArgument) {
  CallReferencedWith(
      env, callback,
      [](napi_env e, const void* d) { return (*static_cast<const MakeArgument*>(d))(e); },
      &makeArgument);
}

}  // namespace procctl
