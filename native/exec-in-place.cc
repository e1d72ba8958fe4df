// execve-in-place (see exec-in-place.h). The setup steps are the child's (child.cc), run in this
// process with every signal blocked. Other fds are marked CLOEXEC rather than closed so that the
// process can still report a failure. A failure leaves the process partly set up (dispositions,
// group, fds): callers report and exit.
#include "exec-in-place.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "child.h"
#include "clone.h"
#include "errors.h"
#include "instance.h"
#include "request.h"

namespace procctl {

Napi::Value ExecInPlace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SpawnRequest request(env, info[0], true);
  SpawnPlan* plan = request.plan();
  plan->expectedParent = getppid();
  plan->closeRange = GetInstance(env)->closeRangeEnabled;

  sigset_t old;
  BlockAllSignals(&old);
  if (!request.hasMask()) plan->mask = MaskBits(old);
  RunInPlace(plan);
  sigprocmask(SIG_SETMASK, &old, nullptr);

  Stage stage = static_cast<Stage>(plan->error.stage);
  Napi::Object error = SpawnFailure(env, request, stage, plan->error.error).Value();
  Napi::Object record = Napi::Object::New(env);
  for (const char* key : {"code", "errno", "syscall", "stage", "message"}) record.Set(key, error.Get(key));
  const char* path = request.PathFor(stage);
  record.Set("path", path != nullptr ? path : "");
  return record;
}

}  // namespace procctl
