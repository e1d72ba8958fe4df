/*
 * procctl-init — the one init of procctl: `procctl init` (which validates its options and then
 * execs this program in place, keeping its PID), the supervisor's contain: 'reaper', and a
 * container ENTRYPOINT of its own where Node cannot run.
 *
 *   procctl-init [-g GRACE_MS] [-r FROM:TO]... [-m MASK] [-q SIG]... [-s FD] [-c FD] [-p PPID] -- FILE [ARG...]
 *
 *   -g  grace between SIGTERM and SIGKILL for what is left when FILE exits (default 5000)
 *   -r  forward signal FROM as TO (numbers; TO 0 drops it); FROM must be catchable and not CHLD
 *   -m  FILE's signal mask, hexadecimal as /proc/PID/status shows it (default: the mask this
 *       program was started with)
 *   -q  a signal already received for FILE (by `procctl init` before it execed this program):
 *       handled as if it arrived once FILE runs (repeatable)
 *   -s  write one JSON status line to this fd before exiting (the status and the tree's rusage)
 *   -c  control fd: "kill\n" SIGKILLs the subtree, "signal N\n" sends N to it, EOF = "kill"
 *   -p  contained mode (the supervisor's reaper): PPID is the supervisor
 *
 * Contract:
 *  - Every signal is blocked from the first instruction and read through one signalfd, so a
 *    signal sent to this process is never lost and never acts on it (every queued realtime
 *    signal is read, one by one). Caught-but-blocked handlers make /proc/PID/status show every
 *    signal as caught. A signal pending when this program starts (blocked by the process that
 *    execed it) is read like any other. FILE gets the -m mask (else the one we started with),
 *    SIG_IGN for the signals that were ignored when we started, SIG_DFL for every other.
 *  - It is PID 1 (the kernel re-parents orphans to it) or becomes a child subreaper, so every
 *    process FILE starts comes back to it and is reaped: nothing stays a zombie.
 *  - Init mode (no -p): FILE runs in a new session, or — when stdin is a terminal whose
 *    foreground group is ours — in a new group of our session that gets the terminal before it
 *    execs (tini's hand-over). Every signal received goes to FILE's group, rewritten by -r;
 *    after forwarding TSTP/TTIN/TTOU it stops itself. Exit: FILE's code, 128+N when signal N
 *    killed it.
 *  - Contained mode (-p): FILE runs in a new group. PR_SET_PDEATHSIG(SIGTERM) is armed and the
 *    parent checked against PPID; a changed parent, or EOF on the control fd, SIGKILLs the
 *    subtree. Every signal received goes to the whole subtree. Exit: the same code as FILE, or
 *    death by the same signal (no core dump of its own), so the supervisor sees FILE's status.
 *  - ILL, TRAP, ABRT, BUS, FPE, SEGV and SYS sent with kill(2)/sigqueue/tgkill (si_code <= 0) are
 *    forwarded like any other signal. A real fault of this program is delivered synchronously;
 *    the kernel then resets the blocked signal to its default action and it crashes as it should.
 *  - When FILE exits, what is left (its group, and every descendant) gets SIGTERM (unless a
 *    SIGTERM was already forwarded to it) and SIGCONT, then SIGKILL after the grace. It exits
 *    only when nothing is left. The leader's exit is seen with WNOWAIT, so its pid (= the group
 *    id) cannot be reused while the group is signalled.
 *  - FILE could not be executed: 127 for ENOENT and ENOTDIR, 126 for any other error (PATH is
 *    searched as execvp does; the first error that is not ENOENT/ENOTDIR is the one reported).
 *    125: this program's own failure (usage, fork). One line on stderr starting with "procctl:".
 *  - Raw system calls only (syscall(2)), no allocation: every buffer is static or on the stack.
 *    The child between fork and execve reports one fixed record {stage, errno} on a pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../syscalls.h"
#include "exec-status.h"

#define EXIT_OWN_FAILURE 125
#define MAX_SIGNAL 64
#define ALL_SIGNALS (~(uint64_t)0)
#define BIT(sig) ((uint64_t)1 << ((sig) - 1))
/* Processes one /proc scan can hold; on a machine with more, the scan sees only the first ones
 * (the command's group is still signalled as a whole with one kill). */
#define MAX_PROCS (1 << 17)

/* ---- raw system calls ------------------------------------------------------------------- */

struct k_sigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)(void);
  uint64_t mask;
};

static long sys_read(int fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
static long sys_write(int fd, const void *buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
static int sys_close(int fd) { return (int)syscall(SYS_close, fd); }
static int sys_open(const char *path, int flags) { return (int)syscall(SYS_openat, AT_FDCWD, path, flags, 0); }
static pid_t sys_getpid(void) { return (pid_t)syscall(SYS_getpid); }
static pid_t sys_getppid(void) { return (pid_t)syscall(SYS_getppid); }
static int sys_kill(pid_t pid, int sig) { return (int)syscall(SYS_kill, pid, sig); }
static int sys_sigmask(int how, uint64_t set, uint64_t *old) {
  return (int)syscall(SYS_rt_sigprocmask, how, &set, old, sizeof set);
}
/* Set a handler; returns the previous one. */
static void (*sys_sigaction(int sig, void (*handler)(int)))(int) {
  struct k_sigaction action = {handler, 0, 0, 0}, old = {SIG_DFL, 0, 0, 0};
  syscall(SYS_rt_sigaction, sig, &action, &old, sizeof action.mask);
  return old.handler;
}
static void sys_exit(int code) {
  for (;;) syscall(SYS_exit_group, code);
}

/* ---- small text helpers (no stdio) ------------------------------------------------------ */

struct text {
  char buf[512];
  size_t len;
};

static void add(struct text *t, const char *s) {
  while (*s && t->len < sizeof t->buf - 1) t->buf[t->len++] = *s++;
}

static void add_num(struct text *t, long long value) {
  char digits[24];
  int n = 0;
  unsigned long long v = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
  do digits[n++] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  if (value < 0) add(t, "-");
  while (n > 0 && t->len < sizeof t->buf - 1) t->buf[t->len++] = digits[--n];
}

/* Milliseconds with three decimals from a timeval. */
static void add_ms(struct text *t, struct timeval tv) {
  add_num(t, (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000);
  long frac = tv.tv_usec % 1000;
  char three[5] = {'.', (char)('0' + frac / 100), (char)('0' + frac / 10 % 10), (char)('0' + frac % 10), 0};
  add(t, three);
}

static void say(const char *a, const char *b, const char *c) {
  struct text t = {.len = 0};
  add(&t, "procctl: ");
  add(&t, a);
  add(&t, b);
  add(&t, c);
  add(&t, "\n");
  (void)sys_write(2, t.buf, t.len);
}

static int starts_with(const char *s, const char *prefix) {
  while (*prefix)
    if (*s++ != *prefix++) return 0;
  return 1;
}

static int has_slash(const char *s) {
  for (; *s; s++)
    if (*s == '/') return 1;
  return 0;
}

/* Non-negative decimal, fully consumed; -1 on anything else. */
static long long parse_uint(const char *s, const char **end) {
  long long value = 0;
  const char *p = s;
  while (*p >= '0' && *p <= '9' && value < (1LL << 40)) value = value * 10 + (*p++ - '0');
  if (p == s) return -1;
  if (end) *end = p;
  else if (*p != '\0') return -1;
  return value;
}

/* A hexadecimal mask of up to 16 digits (as /proc/PID/status prints it); 0 on a bad one. */
static int parse_hex(const char *s, uint64_t *out) {
  uint64_t value = 0;
  int digits = 0;
  for (; *s; s++, digits++) {
    int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
    if (d < 0 || digits >= 16) return 0;
    value = value << 4 | (unsigned)d;
  }
  *out = value;
  return digits > 0;
}

/* ---- options ------------------------------------------------------------------------------ */

enum mode { INIT, CONTAINED };

struct options {
  enum mode mode;
  pid_t expected_ppid;
  int control_fd;
  int status_fd;
  long long grace_ms;
  int has_mask;
  uint64_t mask;
  uint64_t ignored; /* signals ignored when this program started: the command inherits that */
  int rewrite[MAX_SIGNAL + 1]; /* received signal -> forwarded signal (0: dropped) */
  int early[MAX_SIGNAL];        /* -q: signals received before this program ran */
  int early_count;
  char **argv;
};

static void usage(const char *why, const char *what) {
  say(why, what, "; usage: procctl-init [-g MS] [-r FROM:TO]... [-m MASK] [-q SIG]... [-s FD] [-c FD] [-p PPID] -- FILE [ARG...]");
  sys_exit(EXIT_OWN_FAILURE);
}

static int catchable(long long sig) { return sig >= 1 && sig <= MAX_SIGNAL && sig != SIGKILL && sig != SIGSTOP; }

static void parse_rewrite(struct options *opt, const char *text) {
  const char *colon = "";
  long long from = parse_uint(text, &colon);
  long long to = *colon == ':' ? parse_uint(colon + 1, NULL) : -1;
  if (!catchable(from) || from == SIGCHLD || to < 0 || (to != 0 && !(to >= 1 && to <= MAX_SIGNAL))) {
    usage("-r: expected FROM:TO with FROM a catchable signal other than CHLD and TO a signal or 0, got ", text);
  }
  opt->rewrite[from] = (int)to;
}

static long long parse_fd_or_number(const char *flag, const char *text) {
  long long value = parse_uint(text, NULL);
  if (value < 0 || value > 0x7fffffff) usage(flag, " must be a non-negative integer");
  return value;
}

static void parse_options(int argc, char **argv, struct options *opt) {
  opt->mode = INIT;
  opt->expected_ppid = 0;
  opt->control_fd = -1;
  opt->status_fd = -1;
  opt->grace_ms = 5000;
  opt->has_mask = 0;
  for (int sig = 0; sig <= MAX_SIGNAL; sig++) opt->rewrite[sig] = sig;
  int i = 1;
  for (; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] == '-' && arg[1] == '-' && arg[2] == '\0') {
      i++;
      break;
    }
    if (arg[0] != '-' || arg[1] == '\0' || arg[2] != '\0') break;
    if (i + 1 >= argc) usage(arg, " needs a value");
    const char *value = argv[++i];
    switch (arg[1]) {
      case 'p':
        opt->mode = CONTAINED;
        opt->expected_ppid = (pid_t)parse_fd_or_number("-p", value);
        if (opt->expected_ppid <= 0) usage("-p", " must be a pid");
        break;
      case 'c': opt->control_fd = (int)parse_fd_or_number("-c", value); break;
      case 's': opt->status_fd = (int)parse_fd_or_number("-s", value); break;
      case 'g': opt->grace_ms = parse_fd_or_number("-g", value); break;
      case 'r': parse_rewrite(opt, value); break;
      case 'q': {
        long long sig = parse_uint(value, NULL);
        if (!catchable(sig) || opt->early_count == MAX_SIGNAL) usage("-q", " must be a catchable signal number");
        opt->early[opt->early_count++] = (int)sig;
        break;
      }
      case 'm':
        if (!parse_hex(value, &opt->mask)) usage("-m", " must be a hexadecimal signal mask");
        opt->has_mask = 1;
        break;
      default: usage("unknown option ", arg);
    }
  }
  if (i >= argc) usage("no command given", "");
  opt->argv = &argv[i];
}

/* ---- state -------------------------------------------------------------------------------- */

enum phase {
  RUNNING,  /* the command is alive */
  DRAINING, /* the command exited; leftovers got SIGTERM, SIGKILL at the deadline */
  KILLING,  /* SIGKILL everything until nothing is left */
};

struct state {
  enum phase phase;
  pid_t self;
  pid_t command_pid; /* also its process group */
  int command_code;  /* exit code, or -1 when killed */
  int command_signal;
  int command_core;
  int command_exited;
  int command_reaped;
  struct exec_failure failure; /* stage 0: the exec succeeded */
  int term_forwarded; /* the command's group (init) or subtree (contained) already got SIGTERM */
  long reaped;
  long long drain_deadline_ms;
  int signal_fd;
  int control_fd;
  char control_buf[256];
  size_t control_len;
};

static long long now_ms(void) {
  struct timespec ts;
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- signals ------------------------------------------------------------------------------ */

/* Never runs: every signal stays blocked. It makes each signal "caught" rather than SIG_DFL or
 * SIG_IGN: an inherited SIG_IGN on CHLD would auto-reap, and PID 1's SIG_DFL signals are dropped
 * before they could even be queued. */
static void caught(int sig) { (void)sig; }

/* Returns the signals that were ignored, which the command gets back ignored. */
static uint64_t catch_every_signal(void) {
  uint64_t ignored = 0;
  for (int sig = 1; sig <= MAX_SIGNAL; sig++)
    if (catchable(sig) && sys_sigaction(sig, caught) == SIG_IGN) ignored |= BIT(sig);
  return ignored;
}

static int open_signal_fd(void) {
  uint64_t all = ALL_SIGNALS;
  int fd = (int)syscall(SYS_signalfd4, -1, &all, sizeof all, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    say("signalfd failed", "", "");
    sys_exit(EXIT_OWN_FAILURE);
  }
  return fd;
}

/* ---- the process table (/proc) ------------------------------------------------------------ */

struct proc_table {
  pid_t pid[MAX_PROCS];
  pid_t ppid[MAX_PROCS];
  pid_t pgid[MAX_PROCS];
  char state[MAX_PROCS];
  char in_tree[MAX_PROCS];
  uint32_t by_parent[MAX_PROCS]; /* indices ordered by ppid */
  uint32_t members[MAX_PROCS];   /* indices of the subtree, in the order found */
  size_t len;
};

static struct proc_table table;
static char dirents[32768];

/* /proc/PID/stat: "pid (comm) S ppid pgid ..." — comm may hold spaces and ')': split at the last ')'. */
static int read_stat(pid_t pid, pid_t *ppid, pid_t *pgid, char *st) {
  struct text path = {.len = 0};
  add(&path, "/proc/");
  add_num(&path, pid);
  add(&path, "/stat");
  path.buf[path.len] = '\0';
  char buf[512];
  int fd = sys_open(path.buf, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long n = sys_read(fd, buf, sizeof buf - 1);
  sys_close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *paren = NULL;
  for (char *p = buf; *p; p++)
    if (*p == ')') paren = p;
  if (!paren || paren[1] != ' ' || paren[2] == '\0' || paren[3] != ' ') return -1;
  *st = paren[2];
  const char *end;
  long long parent = parse_uint(paren + 4, &end);
  if (parent < 0 || *end != ' ') return -1;
  long long group = parse_uint(end + 1, &end);
  if (group < 0) return -1;
  *ppid = (pid_t)parent;
  *pgid = (pid_t)group;
  return 0;
}

static void read_proc_table(void) {
  table.len = 0;
  int dir = sys_open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  long n;
  while ((n = syscall(SYS_getdents64, dir, dirents, sizeof dirents)) > 0) {
    for (long off = 0; off < n;) {
      /* struct linux_dirent64: ino(8) off(8) reclen(2) type(1) name */
      unsigned short reclen;
      __builtin_memcpy(&reclen, dirents + off + 16, sizeof reclen);
      const char *name = dirents + off + 19;
      off += reclen;
      long long pid = parse_uint(name, NULL);
      if (pid <= 0 || table.len == MAX_PROCS) continue;
      size_t i = table.len;
      if (read_stat((pid_t)pid, &table.ppid[i], &table.pgid[i], &table.state[i]) == 0) {
        table.pid[i] = (pid_t)pid;
        table.len++;
      }
    }
  }
  sys_close(dir);
}

static void sift_down(uint32_t *a, size_t root, size_t len) {
  for (;;) {
    size_t child = 2 * root + 1;
    if (child >= len) return;
    if (child + 1 < len && table.ppid[a[child + 1]] > table.ppid[a[child]]) child++;
    if (table.ppid[a[root]] >= table.ppid[a[child]]) return;
    uint32_t t = a[root];
    a[root] = a[child];
    a[child] = t;
    root = child;
  }
}

/* Heapsort of the index by parent pid: in place, no allocation, O(n log n). */
static void order_by_parent(void) {
  uint32_t *a = table.by_parent;
  size_t len = table.len;
  for (size_t i = 0; i < len; i++) a[i] = (uint32_t)i;
  for (size_t i = len / 2; i-- > 0;) sift_down(a, i, len);
  for (size_t end = len; end-- > 1;) {
    uint32_t t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
}

/* Mark this process's descendants in in_tree: breadth-first, each member's children found by
 * binary search in the index ordered by parent pid. Returns how many there are. */
static size_t mark_descendants(pid_t self) {
  __builtin_memset(table.in_tree, 0, table.len);
  if (table.len == 0) return 0;
  order_by_parent();
  size_t visited = 0, found = 0;
  for (pid_t parent = self;; parent = table.pid[table.members[visited++]]) {
    size_t lo = 0, hi = table.len;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (table.ppid[table.by_parent[mid]] < parent) lo = mid + 1;
      else hi = mid;
    }
    for (size_t k = lo; k < table.len && table.ppid[table.by_parent[k]] == parent; k++) {
      uint32_t i = table.by_parent[k];
      if (!table.in_tree[i]) {
        table.in_tree[i] = 1;
        table.members[found++] = i;
      }
    }
    if (visited == found) break;
  }
  return found;
}

/*
 * Signal one member found by the scan. Since the scan its parent may have reaped it and the pid
 * may be another process's now: pin the pid with a pidfd, check that it still has the scanned
 * parent (or us, when it was re-parented), and signal through the pidfd. Without pidfds (Linux
 * before 5.3, or no fd left) kill() it is.
 */
static void signal_member(pid_t self, pid_t pid, pid_t scanned_ppid, int sig) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno != ESRCH) sys_kill(pid, sig);
    return;
  }
  pid_t ppid, pgid;
  char st;
  if (read_stat(pid, &ppid, &pgid, &st) == 0 && (ppid == scanned_ppid || ppid == self)) {
    syscall(SYS_pidfd_send_signal, (int)fd, sig, NULL, 0);
  }
  sys_close((int)fd);
}

/* sig (0: none) to every live descendant outside group `skip` (0: none). Returns how many
 * descendants remain, zombies included. */
static size_t signal_subtree(pid_t self, int sig, pid_t skip) {
  read_proc_table();
  size_t count = mark_descendants(self);
  for (size_t k = 0; sig != 0 && k < count; k++) {
    uint32_t i = table.members[k];
    if (table.state[i] != 'Z' && table.pgid[i] != skip) signal_member(self, table.pid[i], table.ppid[i], sig);
  }
  return count;
}

/* ---- the command -------------------------------------------------------------------------- */

static int is_foreground_terminal(void) {
  struct termios tio;
  pid_t foreground;
  if (syscall(SYS_ioctl, 0, TCGETS, &tio) != 0) return 0;
  if (syscall(SYS_ioctl, 0, TIOCGPGRP, &foreground) != 0) return 0;
  return foreground == (pid_t)syscall(SYS_getpgid, 0);
}

static const char *find_path(char **envp) {
  for (; *envp; envp++)
    if (starts_with(*envp, "PATH=")) return *envp + 5;
  return DEFAULT_PATH;
}

static void report_and_exit(int fd, enum exec_stage stage, int err) {
  struct exec_failure record = {stage, err};
  (void)sys_write(fd, &record, sizeof record);
  sys_exit(127);
}

/* Try each candidate as execvp would; returns the errno to report. */
static int exec_candidates(char **argv, char **envp) {
  const char *file = argv[0];
  if (has_slash(file)) {
    syscall(SYS_execve, file, argv, envp);
    return errno;
  }
  static char candidate[4096 + 256];
  int reported = ENOENT;
  const char *dir = find_path(envp);
  for (;;) {
    const char *end = dir;
    while (*end && *end != ':') end++;
    size_t dir_len = (size_t)(end - dir), len = 0;
    if (dir_len == 0) candidate[len++] = '.';
    for (size_t k = 0; k < dir_len && len < 4096; k++) candidate[len++] = dir[k];
    if (candidate[len - 1] != '/') candidate[len++] = '/';
    for (const char *f = file; *f && len < sizeof candidate - 1; f++) candidate[len++] = *f;
    candidate[len] = '\0';
    syscall(SYS_execve, candidate, argv, envp);
    if (errno != ENOENT && errno != ENOTDIR && reported == ENOENT) reported = errno;
    if (*end == '\0') return reported;
    dir = end + 1;
  }
}

/* Child side, between fork and execve: group or session, terminal, dispositions, mask, exec. */
static void run_command(const struct options *opt, int terminal, uint64_t mask, int report, char **envp) {
  if (opt->mode == CONTAINED || terminal) {
    if (syscall(SYS_setpgid, 0, 0) != 0) report_and_exit(report, STAGE_SETPGID, errno);
  } else if (syscall(SYS_setsid) < 0) {
    report_and_exit(report, STAGE_SETSID, errno);
  }
  if (terminal) {
    /* Still every signal blocked, so SIGTTOU cannot stop this background group. */
    pid_t self = sys_getpid();
    if (syscall(SYS_ioctl, 0, TIOCSPGRP, &self) != 0) report_and_exit(report, STAGE_TERMINAL, errno);
  }
  for (int sig = 1; sig <= MAX_SIGNAL; sig++)
    if (catchable(sig)) sys_sigaction(sig, opt->ignored & BIT(sig) ? SIG_IGN : SIG_DFL);
  sys_sigmask(SIG_SETMASK, mask, NULL);
  int err = exec_candidates(opt->argv, envp);
  report_and_exit(report, STAGE_EXEC, err);
}

static void start_command(struct state *s, const struct options *opt, uint64_t mask, char **envp) {
  int report[2];
  if (syscall(SYS_pipe2, report, O_CLOEXEC) != 0) {
    say("pipe failed", "", "");
    sys_exit(EXIT_OWN_FAILURE);
  }
  int terminal = opt->mode == INIT && is_foreground_terminal();
  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    say("fork failed", "", "");
    sys_exit(EXIT_OWN_FAILURE);
  }
  if (pid == 0) run_command(opt, terminal, mask, report[1], envp);
  sys_close(report[1]);
  struct exec_failure record = {STAGE_NONE, 0};
  long n;
  do n = sys_read(report[0], &record, sizeof record);
  while (n < 0 && errno == EINTR);
  sys_close(report[0]);
  s->command_pid = (pid_t)pid;
  if (n == (long)sizeof record) s->failure = record;
}

static void say_failure(const struct state *s, const char *file) {
  const struct exec_failure *f = &s->failure;
  if (f->stage == STAGE_NONE) return;
  if (f->stage != STAGE_EXEC) say(file, ": cannot start: ", exec_stage_name(f->stage));
  else if (exec_status(f->error) == EXEC_NOT_FOUND) say(file, has_slash(file) ? ": no such file" : ": command not found", "");
  else if (f->error == EACCES) say(file, ": permission denied (found but not executable)", "");
  else if (f->error == ENOEXEC) say(file, ": not an executable format (ENOEXEC)", "");
  else say(file, ": cannot execute: ", exec_errno_name(f->error));
}

/* ---- forwarding, reaping, stopping -------------------------------------------------------- */

static void signal_group(pid_t pgid, int sig) { sys_kill(-pgid, sig); }

/* A signal for the command: to its group (init) or to the whole subtree (contained). */
static void forward(struct state *s, const struct options *opt, int sig) {
  if (opt->mode == CONTAINED) signal_subtree(s->self, sig, 0);
  else if (!s->command_exited) signal_group(s->command_pid, sig);
  if (sig == SIGTERM) s->term_forwarded = 1;
}

static void enter_killing(struct state *s) { s->phase = KILLING; }

/* The command exited (its zombie still pins the group id): stop what it left behind. */
static void enter_draining(struct state *s, const struct options *opt) {
  s->phase = DRAINING;
  s->drain_deadline_ms = now_ms() + opt->grace_ms;
  pid_t group = s->command_pid;
  if (opt->mode == INIT) {
    if (!s->term_forwarded) signal_group(group, SIGTERM);
    signal_group(group, SIGCONT);
    signal_subtree(s->self, SIGTERM, group);
    signal_subtree(s->self, SIGCONT, group);
  } else {
    if (!s->term_forwarded) signal_subtree(s->self, SIGTERM, 0);
    signal_subtree(s->self, SIGCONT, 0);
  }
}

static void record_command_exit(struct state *s, const siginfo_t *info) {
  s->command_exited = 1;
  if (info->si_code == CLD_EXITED) {
    s->command_code = info->si_status;
  } else {
    s->command_code = -1;
    s->command_signal = info->si_status;
    s->command_core = info->si_code == CLD_DUMPED;
  }
}

/* Reap every exited child. The command's exit is looked at first with WNOWAIT, so the group is
 * signalled while its id still belongs to it. */
static void reap_children(struct state *s, const struct options *opt) {
  for (;;) {
    siginfo_t info;
    info.si_pid = 0;
    if (syscall(SYS_waitid, P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT, NULL) != 0 || info.si_pid == 0) return;
    pid_t pid = info.si_pid;
    if (pid == s->command_pid && !s->command_exited) {
      record_command_exit(s, &info);
      if (s->phase == RUNNING) enter_draining(s, opt);
    }
    if (syscall(SYS_waitid, P_PID, pid, &info, WEXITED | WNOHANG, NULL) != 0) return;
    s->reaped++;
    if (pid == s->command_pid) s->command_reaped = 1;
  }
}

static void handle_control_line(struct state *s, const char *line) {
  if (starts_with(line, "kill") && line[4] == '\0') {
    enter_killing(s);
  } else if (starts_with(line, "signal ")) {
    long long sig = parse_uint(line + 7, NULL);
    if (sig >= 1 && sig <= MAX_SIGNAL) signal_subtree(s->self, (int)sig, 0);
  }
}

/* Read what the supervisor wrote; EOF means the supervisor is gone. */
static void read_control(struct state *s) {
  long n = sys_read(s->control_fd, s->control_buf + s->control_len, sizeof s->control_buf - 1 - s->control_len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    sys_close(s->control_fd);
    s->control_fd = -1;
    enter_killing(s);
    return;
  }
  s->control_len += (size_t)n;
  s->control_buf[s->control_len] = '\0';
  size_t start = 0;
  for (size_t i = 0; i < s->control_len; i++) {
    if (s->control_buf[i] != '\n') continue;
    s->control_buf[i] = '\0';
    handle_control_line(s, s->control_buf + start);
    start = i + 1;
  }
  s->control_len -= start;
  __builtin_memmove(s->control_buf, s->control_buf + start, s->control_len);
  if (s->control_len == sizeof s->control_buf - 1) s->control_len = 0; /* overlong line: drop it */
}

/* A fault signal the kernel raised for this process (si_code > 0) that still reached the
 * signalfd: behave as the default action would, as a crash must. */
static int is_fault(int sig) {
  return sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV || sig == SIGSYS;
}

static void die_of(int sig) {
  sys_sigaction(sig, SIG_DFL);
  sys_kill(sys_getpid(), sig);
  sys_sigmask(SIG_UNBLOCK, BIT(sig), NULL);
  sys_exit(128 + sig);
}

/* The kernel's struct signalfd_siginfo is 128 bytes; signo and code are its first and third
 * 32-bit fields. */
struct signal_record {
  uint32_t signo;
  int32_t error;
  int32_t code;
  uint8_t rest[116];
};

static struct signal_record received[64];

/* One signal received (code: its si_code): forward it, as rewritten. */
static void handle_signal(struct state *s, const struct options *opt, int sig, int code) {
  if (sig == SIGCHLD) return; /* reaping happens after every wake-up */
  if (is_fault(sig) && code > 0) die_of(sig);
  if (opt->mode == CONTAINED && sys_getppid() != opt->expected_ppid) {
    enter_killing(s);
    return;
  }
  if (s->phase == KILLING) return;
  int target = opt->rewrite[sig];
  if (target != 0) forward(s, opt, target);
  /* A job-control stop reached the command; stop too, so the shell above sees the job stop. */
  if (opt->mode == INIT && target != 0 && (sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)) {
    sys_kill(s->self, SIGSTOP);
  }
}

static void read_signals(struct state *s, const struct options *opt) {
  long n;
  while ((n = sys_read(s->signal_fd, received, sizeof received)) > 0) {
    for (long k = 0; k < n / (long)sizeof received[0]; k++) handle_signal(s, opt, (int)received[k].signo, received[k].code);
  }
}

static int poll_timeout_ms(const struct state *s) {
  if (s->phase == KILLING) return 10;
  if (s->phase == DRAINING) {
    long long left = s->drain_deadline_ms - now_ms();
    return left <= 0 ? 0 : left > 20 ? 20 : (int)left;
  }
  return -1;
}

static void wait_for_events(struct state *s, const struct options *opt) {
  struct pollfd fds[2] = {{s->signal_fd, POLLIN, 0}, {s->control_fd, POLLIN, 0}};
  int nfds = s->control_fd >= 0 ? 2 : 1;
  int ms = poll_timeout_ms(s);
  struct timespec timeout = {ms / 1000, (long)(ms % 1000) * 1000000};
  long ready = syscall(SYS_ppoll, fds, nfds, ms < 0 ? NULL : &timeout, NULL, 0);
  if (ready <= 0) return;
  if (fds[0].revents) read_signals(s, opt);
  if (nfds == 2 && fds[1].revents) read_control(s);
}

/* One step: move the phases forward; true when nothing of the command's tree is left. */
static int advance(struct state *s, const struct options *opt) {
  reap_children(s, opt);
  if (s->phase == DRAINING && now_ms() >= s->drain_deadline_ms) enter_killing(s);
  if (s->phase == RUNNING) return 0;
  int killing = s->phase == KILLING;
  if (killing && opt->mode == INIT) signal_group(s->command_pid, SIGKILL);
  size_t left = signal_subtree(s->self, killing ? SIGKILL : 0, 0);
  reap_children(s, opt);
  if (left != 0 || !s->command_reaped) return 0;
  /* Not a reaper (no PID 1, no subreaper): group members may live outside our subtree. */
  return opt->mode == CONTAINED || sys_kill(-s->command_pid, 0) != 0;
}

/* ---- the end ------------------------------------------------------------------------------ */

static int exit_code(const struct state *s) {
  if (s->failure.stage == STAGE_EXEC) return exec_status(s->failure.error);
  if (s->failure.stage != STAGE_NONE) return EXIT_OWN_FAILURE;
  return s->command_code >= 0 ? s->command_code : 128 + s->command_signal;
}

static void write_report(const struct state *s, int fd) {
  if (fd < 0) return;
  struct rusage ru;
  __builtin_memset(&ru, 0, sizeof ru);
  syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
  int failed = s->failure.stage != STAGE_NONE;
  struct text t = {.len = 0};
  add(&t, "{\"pid\":");
  add_num(&t, s->command_pid);
  add(&t, ",\"code\":");
  if (failed || s->command_code >= 0) add_num(&t, exit_code(s));
  else add(&t, "null");
  add(&t, ",\"signal\":");
  add_num(&t, failed || s->command_code >= 0 ? 0 : s->command_signal);
  add(&t, ",\"coreDumped\":");
  add(&t, !failed && s->command_core ? "true" : "false");
  add(&t, ",\"userCpuMs\":");
  add_ms(&t, ru.ru_utime);
  add(&t, ",\"systemCpuMs\":");
  add_ms(&t, ru.ru_stime);
  add(&t, ",\"maxRssKb\":");
  add_num(&t, ru.ru_maxrss);
  add(&t, ",\"reaped\":");
  add_num(&t, s->reaped);
  add(&t, ",\"execErrno\":");
  add_num(&t, failed ? s->failure.error : 0);
  add(&t, "}\n");
  (void)sys_write(fd, t.buf, t.len);
}

/* Contained: exit the way the command did, so the supervisor's exit watcher sees its status.
 * Init: exit with the command's code, 128+N for signal N (a PID 1 cannot kill itself anyway). */
static void exit_like(const struct state *s, const struct options *opt) {
  if (opt->mode == CONTAINED && s->failure.stage == STAGE_NONE && s->command_code < 0) {
    struct rlimit no_core = {0, 0};
    syscall(SYS_prlimit64, 0, RLIMIT_CORE, &no_core, NULL);
    die_of(s->command_signal);
  }
  sys_exit(exit_code(s));
}

static void become_reaper(const struct options *opt) {
  if (sys_getpid() == 1) return;
  if (syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0 && opt->mode == INIT) {
    say("warning: not PID 1 and cannot become a child subreaper; orphans will not be reaped", "", "");
  }
}

static void keep_private(int fd) {
  if (fd >= 0 && syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC) != 0) usage("-c/-s", ": that fd is not open");
}

int main(int argc, char **argv, char **envp) {
  uint64_t started_mask = 0;
  sys_sigmask(SIG_BLOCK, ALL_SIGNALS, &started_mask);

  static struct options opt;
  parse_options(argc, argv, &opt);
  keep_private(opt.control_fd);
  keep_private(opt.status_fd);

  static struct state s;
  s.phase = RUNNING;
  s.self = sys_getpid();
  s.control_fd = opt.control_fd;
  opt.ignored = catch_every_signal();
  s.signal_fd = open_signal_fd();

  become_reaper(&opt);
  if (opt.mode == CONTAINED) {
    syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    /* The supervisor may have died between our start and the prctl: then no signal would come. */
    if (sys_getppid() != opt.expected_ppid) {
      struct text t = {.len = 0};
      add_num(&t, opt.expected_ppid);
      t.buf[t.len] = '\0';
      say("supervisor ", t.buf, " is gone before the command started");
      sys_exit(EXIT_OWN_FAILURE);
    }
  }

  start_command(&s, &opt, opt.has_mask ? opt.mask : started_mask, envp);
  say_failure(&s, opt.argv[0]);
  for (int k = 0; k < opt.early_count; k++) handle_signal(&s, &opt, opt.early[k], 0);
  while (!advance(&s, &opt)) wait_for_events(&s, &opt);
  write_report(&s, opt.status_fd);
  exit_like(&s, &opt);
  return EXIT_OWN_FAILURE;
}
