// See js-callback.h.
#include "js-callback.h"

namespace procctl {

void CallReferencedWith(napi_env env, napi_ref callback, napi_value (*make)(napi_env, const void*),
                        const void* data) {
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value function;
  napi_value global;
  if (napi_get_reference_value(env, callback, &function) == napi_ok && function != nullptr &&
      napi_get_global(env, &global) == napi_ok) {
    napi_value argument = make(env, data);
    napi_value result;
    if (argument != nullptr &&
        napi_make_callback(env, nullptr, global, function, 1, &argument, &result) ==
            napi_pending_exception) {
      napi_value error;
      napi_valuetype type = napi_undefined;
      if (napi_get_and_clear_last_exception(env, &error) == napi_ok &&
          napi_typeof(env, error, &type) == napi_ok && type != napi_undefined) {
        napi_fatal_exception(env, error);
      }
    }
  }
  napi_close_handle_scope(env, scope);
}

}  // namespace procctl
