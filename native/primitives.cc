// Process primitives (see primitives.h). Thin wrappers: check the argument types, make the call,
// turn a failure into a Node-style system error.
#include "primitives.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <vector>

#include "errors.h"
#include "exit-watcher.h"
#include "instance.h"
#include "kernel.h"
#include "child.h"


namespace procctl {
namespace {

int IntArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().Int32Value();
}

bool BoolArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsBoolean()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a boolean");
  }
  return info[index].As<Napi::Boolean>();
}

void Check(Napi::Env env, long result, const char* syscall) {
  if (result == -1) ThrowErrno(env, syscall);
}

Napi::Array ToArray(Napi::Env env, const std::vector<int>& values) {
  Napi::Array array = Napi::Array::New(env, values.size());
  for (uint32_t i = 0; i < values.size(); i++) array.Set(i, values[i]);
  return array;
}

bool ProbeCloseRange() {
  // A range beyond any open fd: succeeds where supported, ENOSYS elsewhere.
  return syscall(SYS_close_range, 0x7ffffff0U, 0x7ffffff0U, 0) == 0;
}

}  // namespace

Napi::Value Kill(const Napi::CallbackInfo& info) {
  Check(info.Env(), kill(IntArg(info, 0, "pid"), IntArg(info, 1, "sig")), "kill");
  return info.Env().Undefined();
}

Napi::Value Killpg(const Napi::CallbackInfo& info) {
  Check(info.Env(), killpg(IntArg(info, 0, "pgid"), IntArg(info, 1, "sig")), "killpg");
  return info.Env().Undefined();
}

Napi::Value SignalGroupPidfd(const Napi::CallbackInfo& info) {
  int pidfd = IntArg(info, 0, "pidfd");
  int sig = IntArg(info, 1, "sig");
  if (syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, PIDFD_SIGNAL_PROCESS_GROUP) == 0) {
    return Napi::Boolean::New(info.Env(), true);
  }
  if (errno == ESRCH) return Napi::Boolean::New(info.Env(), false);
  ThrowErrno(info.Env(), "pidfd_send_signal");
}

Napi::Value Setpgid(const Napi::CallbackInfo& info) {
  Check(info.Env(), setpgid(IntArg(info, 0, "pid"), IntArg(info, 1, "pgid")), "setpgid");
  return info.Env().Undefined();
}

Napi::Value Getpgid(const Napi::CallbackInfo& info) {
  pid_t pgid = getpgid(IntArg(info, 0, "pid"));
  Check(info.Env(), pgid, "getpgid");
  return Napi::Number::New(info.Env(), pgid);
}

Napi::Value Setsid(const Napi::CallbackInfo& info) {
  pid_t sid = setsid();
  Check(info.Env(), sid, "setsid");
  return Napi::Number::New(info.Env(), sid);
}

Napi::Value Getsid(const Napi::CallbackInfo& info) {
  pid_t sid = getsid(IntArg(info, 0, "pid"));
  Check(info.Env(), sid, "getsid");
  return Napi::Number::New(info.Env(), sid);
}

Napi::Value Tcgetpgrp(const Napi::CallbackInfo& info) {
  pid_t pgid = tcgetpgrp(IntArg(info, 0, "fd"));
  Check(info.Env(), pgid, "tcgetpgrp");
  return Napi::Number::New(info.Env(), pgid);
}

// A caller outside the terminal's foreground group would be stopped by SIGTTOU; block it for the
// call, as shells do when they hand the terminal to a job.
Napi::Value Tcsetpgrp(const Napi::CallbackInfo& info) {
  int fd = IntArg(info, 0, "fd");
  int pgid = IntArg(info, 1, "pgid");
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  int result = tcsetpgrp(fd, pgid);
  int error = errno;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (result == -1) throw SystemError(info.Env(), error, "tcsetpgrp");
  return info.Env().Undefined();
}

// A child's job-control stop or continue, without blocking and without touching its exit:
// waitid(P_PID, WSTOPPED | WCONTINUED | WNOHANG) never collects an exit (no WEXITED), so the exit
// watcher still reaps it. Returns null when there is nothing to report (or no such child).
Napi::Value WaitJobState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pid = IntArg(info, 0, "pid");
  if (pid < 1) throw Napi::RangeError::New(env, "pid must be a positive number");
  siginfo_t si = {};
  long result = syscall(SYS_waitid, P_PID, pid, &si, WSTOPPED | WCONTINUED | WNOHANG, nullptr);
  if (result == -1 && errno == ECHILD) return env.Null();
  Check(env, result, "waitid");
  if (si.si_pid == 0) return env.Null();
  Napi::Object state = Napi::Object::New(env);
  bool continued = si.si_code == CLD_CONTINUED;
  state.Set("state", continued ? "continued" : "stopped");
  state.Set("signal", continued ? SIGCONT : si.si_status);
  return state;
}

Napi::Value ResetSignalMask(const Napi::CallbackInfo& info) {
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, nullptr);
  return info.Env().Undefined();
}

Napi::Value GetSignalDispositions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<int> ignored, caught, blocked;
  for (int sig = 1; sig <= 64; sig++) {
    KernelSigaction current;
    if (syscall(SYS_rt_sigaction, sig, nullptr, &current, kKernelSigsetSize) == -1) continue;
    if (current.handler == reinterpret_cast<void*>(SIG_IGN)) {
      ignored.push_back(sig);
    } else if (current.handler != reinterpret_cast<void*>(SIG_DFL)) {
      caught.push_back(sig);
    }
  }
  uint64_t mask = 0;
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &mask, kKernelSigsetSize);
  for (int sig = 1; sig <= 64; sig++) {
    if ((mask >> (sig - 1)) & 1) blocked.push_back(sig);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("ignored", ToArray(env, ignored));
  result.Set("caught", ToArray(env, caught));
  result.Set("blocked", ToArray(env, blocked));
  return result;
}

Napi::Value SetSignalDisposition(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sig = IntArg(info, 0, "sig");
  if (!info[1].IsString()) throw Napi::TypeError::New(env, "disposition must be 'default' or 'ignore'");
  std::string disposition = info[1].As<Napi::String>();
  if (disposition != "default" && disposition != "ignore") {
    throw Napi::TypeError::New(env, "disposition must be 'default' or 'ignore', got '" + disposition + "'");
  }
  // Raw, like the child side: the kernel accepts every signal but KILL and STOP.
  KernelSigaction action = {reinterpret_cast<void*>(disposition == "ignore" ? SIG_IGN : SIG_DFL), 0, nullptr, 0};
  Check(env, syscall(SYS_rt_sigaction, sig, &action, nullptr, kKernelSigsetSize), "rt_sigaction");
  return env.Undefined();
}

Napi::Value SetSignalMask(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "signals must be an array");
  Napi::Array signals = info[0].As<Napi::Array>();
  uint64_t mask = 0;
  for (uint32_t i = 0; i < signals.Length(); i++) {
    Napi::Value value = signals.Get(i);
    int sig = value.IsNumber() ? value.As<Napi::Number>().Int32Value() : 0;
    if (sig < 1 || sig > kMaxSignal) {
      throw Napi::TypeError::New(env, "signals[" + std::to_string(i) + "] must be a signal number 1..64");
    }
    mask |= 1ULL << (sig - 1);
  }
  uint64_t old = 0;
  Check(env, syscall(SYS_rt_sigprocmask, SIG_SETMASK, &mask, &old, kKernelSigsetSize), "rt_sigprocmask");
  std::vector<int> previous;
  for (int sig = 1; sig <= kMaxSignal; sig++) {
    if ((old >> (sig - 1)) & 1) previous.push_back(sig);
  }
  return ToArray(env, previous);
}

Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  bool on = BoolArg(info, 0, "on");
  Check(info.Env(), prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0), "prctl");
  return info.Env().Undefined();
}

Napi::Value GetChildSubreaper(const Napi::CallbackInfo& info) {
  int value = 0;
  Check(info.Env(), prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0), "prctl");
  return Napi::Boolean::New(info.Env(), value != 0);
}

Napi::Value SetDeathSignal(const Napi::CallbackInfo& info) {
  Check(info.Env(), prctl(PR_SET_PDEATHSIG, IntArg(info, 0, "sig"), 0, 0, 0), "prctl");
  return info.Env().Undefined();
}

Napi::Value CloexecFrom(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "keep must be an array");
  Napi::Array keep = info[0].As<Napi::Array>();
  std::vector<int> fds;
  for (uint32_t i = 0; i < keep.Length(); i++) {
    Napi::Value value = keep.Get(i);
    if (!value.IsNumber()) throw Napi::TypeError::New(env, "keep[" + std::to_string(i) + "] must be a number");
    fds.push_back(value.As<Napi::Number>().Int32Value());
  }
  if (int error = CloseFdsFrom(3, true, GetInstance(env)->closeRangeEnabled)) {
    throw SystemError(env, error, "close_range");
  }
  for (int fd : fds) {
    if (fd >= 0) Check(env, fcntl(fd, F_SETFD, 0), "fcntl");
  }
  return env.Undefined();
}

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  int fds[2];
  Check(info.Env(), pipe2(fds, O_CLOEXEC), "pipe2");
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(0u, fds[0]);
  result.Set(1u, fds[1]);
  return result;
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  Check(info.Env(), close(IntArg(info, 0, "fd")), "close");
  return info.Env().Undefined();
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
  constants.Set("SIGRTMIN", SIGRTMIN);
  constants.Set("SIGRTMAX", SIGRTMAX);
  constants.Set("hasPidfd", PidfdWatchSupported());
  // What this environment's instance found when it was created (one probe, PROCCTL_NO_PIDFD_GROUP
  // applied), not a second probe of the kernel.
  Instance* instance = GetInstance(env);
  constants.Set("hasPidfdGroupSignal", instance != nullptr && instance->pidfdGroupEnabled);
  constants.Set("hasCloseRange", ProbeCloseRange());
  return constants;
}

}  // namespace procctl
