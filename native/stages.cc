// Names of the child setup stages and the system call behind each, for the JavaScript error.
#include "spawn-plan.h"

namespace procctl {

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::Sigaction: return "sigaction";
    case Stage::Setsid: return "setsid";
    case Stage::Setpgid: return "setpgid";
    case Stage::Setgroups: return "setgroups";
    case Stage::Setgid: return "setgid";
    case Stage::Setuid: return "setuid";
    case Stage::Rlimit: return "rlimit";
    case Stage::Umask: return "umask";
    case Stage::NoNewPrivs: return "no_new_privs";
    case Stage::Cgroup: return "cgroup";
    case Stage::Pdeathsig: return "pdeathsig";
    case Stage::Chdir: return "chdir";
    case Stage::Fd: return "fd";
    case Stage::Terminal: return "terminal";
    case Stage::CloseFds: return "close_fds";
    case Stage::Sigmask: return "sigmask";
    case Stage::Exec: return "exec";
    case Stage::None: break;
  }
  return "none";
}

const char* StageSyscall(Stage stage) {
  switch (stage) {
    case Stage::Sigaction: return "rt_sigaction";
    case Stage::Setsid: return "setsid";
    case Stage::Setpgid: return "setpgid";
    case Stage::Setgroups: return "setgroups";
    case Stage::Setgid: return "setgid";
    case Stage::Setuid: return "setuid";
    case Stage::Rlimit: return "prlimit64";
    case Stage::Umask: return "umask";
    case Stage::NoNewPrivs: return "prctl";
    case Stage::Cgroup: return "write";
    case Stage::Pdeathsig: return "prctl";
    case Stage::Chdir: return "chdir";
    case Stage::Fd: return "dup3";
    case Stage::Terminal: return "tcsetpgrp";
    case Stage::CloseFds: return "close_range";
    case Stage::Sigmask: return "rt_sigprocmask";
    case Stage::Exec: return "execve";
    case Stage::None: break;
  }
  return "spawn";
}

}  // namespace procctl
