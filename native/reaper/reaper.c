/*
 * procctl-reaper — the containment process of one supervised child (Supervisor contain: 'reaper').
 *
 *   procctl-reaper -p PPID [-c CONTROL_FD] [-s STATUS_FD] [-g GRACE_MS] -- FILE [ARG...]
 *
 * Contract:
 *  - It becomes a child subreaper, so every process its command starts — escapees that setsid()
 *    and double-fork included — is re-parented to it when its own parent dies. Its subtree is
 *    therefore always "every process whose ppid chain leads here", found by walking /proc/<pid>/stat.
 *  - It arms PR_SET_PDEATHSIG(SIGTERM) and then checks getppid() against -p: if the supervisor
 *    died before the prctl, the death signal would never come. On any signal it re-checks the
 *    parent; a changed parent means the supervisor is gone and the whole subtree is SIGKILLed.
 *    EOF on the control fd means the same thing (the supervisor held the only write end).
 *  - It runs FILE (PATH search) in a new process group with the signal mask it was started with
 *    (dispositions pass through untouched: it never changes them) and reaps every
 *    process that comes back to it. Any other signal it receives is forwarded to its whole subtree.
 *  - Control fd lines: "kill" SIGKILLs the subtree; "signal N" sends N to the subtree.
 *  - When the command exits, what is left of the subtree gets SIGTERM (unless a SIGTERM was
 *    already forwarded to it), then SIGKILL after GRACE_MS (default 5000). It exits only when the
 *    subtree is empty.
 *  - Before exiting it writes one JSON line to STATUS_FD: the command's status and the resource
 *    usage of the whole tree (getrusage(RUSAGE_CHILDREN): CPU summed over every reaped process,
 *    max RSS of the largest). Then it exits the way the command did: same code, or the same signal
 *    (core dumps of itself disabled); 127/126 when the command could not be executed.
 *
 * It only ever reaps its own children, so it cannot disturb other children of the supervisor.
 * Plain C, no threads, a few hundred KB of RSS.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define EXIT_USAGE 125

enum phase {
  RUNNING,  /* the command is alive */
  DRAINING, /* the command exited; leftovers got SIGTERM, SIGKILL at the deadline */
  KILLING,  /* SIGKILL everything until nothing is left */
};

struct options {
  pid_t expected_ppid;
  int control_fd;
  int status_fd;
  long grace_ms;
  char **argv;
};

struct state {
  enum phase phase;
  pid_t command_pid;
  int command_status; /* wait status, valid once command_reaped */
  int command_reaped;
  int exec_errno;
  int term_forwarded; /* the subtree already got SIGTERM: do not run its handlers a second time */
  long reaped;
  long long drain_deadline_ms;
  int signal_fd;
  int control_fd;
  char control_buf[256];
  size_t control_len;
};

struct proc_table {
  pid_t *pid;
  pid_t *ppid;
  char *state;
  size_t len;
  size_t cap;
};

static void die_usage(const char *why) {
  fprintf(stderr, "procctl-reaper: %s\n", why);
  exit(EXIT_USAGE);
}

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long parse_number(const char *text, const char *what) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 0) {
    fprintf(stderr, "procctl-reaper: %s must be a non-negative integer, got '%s'\n", what, text);
    exit(EXIT_USAGE);
  }
  return value;
}

static void parse_options(int argc, char **argv, struct options *opt) {
  opt->expected_ppid = 0;
  opt->control_fd = -1;
  opt->status_fd = -1;
  opt->grace_ms = 5000;
  opt->argv = NULL;
  int i = 1;
  for (; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--") == 0) {
      i++;
      break;
    }
    if (i + 1 >= argc) die_usage("option without a value");
    if (strcmp(arg, "-p") == 0) opt->expected_ppid = (pid_t)parse_number(argv[++i], "-p");
    else if (strcmp(arg, "-c") == 0) opt->control_fd = (int)parse_number(argv[++i], "-c");
    else if (strcmp(arg, "-s") == 0) opt->status_fd = (int)parse_number(argv[++i], "-s");
    else if (strcmp(arg, "-g") == 0) opt->grace_ms = parse_number(argv[++i], "-g");
    else die_usage("usage: procctl-reaper -p PPID [-c FD] [-s FD] [-g MS] -- FILE [ARG...]");
  }
  if (i >= argc) die_usage("no command given");
  if (opt->expected_ppid <= 0) die_usage("-p PPID is required");
  opt->argv = &argv[i];
}

/* The control and status fds belong to this process only: the command must not inherit them. */
static void keep_private(int fd) {
  if (fd >= 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) die_usage("control/status fd is not open");
}

static int parent_is_gone(const struct options *opt) { return getppid() != opt->expected_ppid; }

/* Every signal except SIGKILL/SIGSTOP goes through a signalfd; `old` keeps the mask for the command. */
static int block_signals(sigset_t *old) {
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, old);
  int fd = signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    perror("procctl-reaper: signalfd");
    exit(EXIT_USAGE);
  }
  return fd;
}

/* fork + execvp in a new group with the mask the reaper was started with (the spawn options'
 * blockSignals pass through); exec failure comes back through a CLOEXEC pipe as an errno. */
static pid_t start_command(char **argv, const sigset_t *mask, int *exec_errno) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    setpgid(0, 0);
    sigprocmask(SIG_SETMASK, mask, NULL);
    execvp(argv[0], argv);
    int err = errno;
    (void)!write(report[1], &err, sizeof err);
    _exit(127);
  }
  close(report[1]);
  int err = 0;
  ssize_t n;
  do n = read(report[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  *exec_errno = n == (ssize_t)sizeof err ? err : 0;
  return pid;
}

static void table_add(struct proc_table *t, pid_t pid, pid_t ppid, char st) {
  if (t->len == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 512;
    t->pid = realloc(t->pid, cap * sizeof *t->pid);
    t->ppid = realloc(t->ppid, cap * sizeof *t->ppid);
    t->state = realloc(t->state, cap);
    if (!t->pid || !t->ppid || !t->state) abort();
    t->cap = cap;
  }
  t->pid[t->len] = pid;
  t->ppid[t->len] = ppid;
  t->state[t->len] = st;
  t->len++;
}

/* /proc/PID/stat: "pid (comm) S ppid ..." — comm may hold spaces and ')', so split at the last ')'. */
static int read_stat(pid_t pid, pid_t *ppid, char *st) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *close_paren = strrchr(buf, ')');
  if (!close_paren || close_paren[1] == '\0') return -1;
  int parent = 0;
  if (sscanf(close_paren + 2, "%c %d", st, &parent) != 2) return -1;
  *ppid = (pid_t)parent;
  return 0;
}

static void read_proc_table(struct proc_table *t) {
  t->len = 0;
  DIR *dir = opendir("/proc");
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir)) != NULL) {
    char *end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    pid_t ppid;
    char st;
    if (read_stat((pid_t)pid, &ppid, &st) == 0) table_add(t, (pid_t)pid, ppid, st);
  }
  closedir(dir);
}

/* The table being ordered by by_ppid (qsort takes no context argument). */
static const struct proc_table *sorting;

static int by_ppid(const void *a, const void *b) {
  pid_t pa = sorting->ppid[*(const size_t *)a];
  pid_t pb = sorting->ppid[*(const size_t *)b];
  return (pa > pb) - (pa < pb);
}

/*
 * Mark the descendants of this process in `in_tree` (index-aligned with the table): breadth-first
 * from this process, finding each member's children by binary search in an index of the table
 * ordered by parent pid. O(n log n) in the number of processes on the machine.
 */
static size_t mark_descendants(const struct proc_table *t, char *in_tree) {
  memset(in_tree, 0, t->len);
  if (t->len == 0) return 0;
  size_t *by_parent = malloc(t->len * sizeof *by_parent);
  size_t *members = malloc(t->len * sizeof *members); /* table indices, in the order found */
  if (!by_parent || !members) abort();
  for (size_t i = 0; i < t->len; i++) by_parent[i] = i;
  sorting = t;
  qsort(by_parent, t->len, sizeof *by_parent, by_ppid);
  size_t visited = 0, found = 0;
  for (pid_t parent = getpid();; parent = t->pid[members[visited++]]) {
    size_t lo = 0, hi = t->len;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (t->ppid[by_parent[mid]] < parent) lo = mid + 1;
      else hi = mid;
    }
    for (size_t k = lo; k < t->len && t->ppid[by_parent[k]] == parent; k++) {
      size_t i = by_parent[k];
      if (!in_tree[i]) {
        in_tree[i] = 1;
        members[found++] = i;
      }
    }
    if (visited == found) break;
  }
  free(by_parent);
  free(members);
  return found;
}

/*
 * Signal one member of the subtree found by the scan. Since the scan its parent may have reaped it
 * and the pid may belong to an unrelated process now: pin the pid with a pidfd, then check the
 * process still has the scanned parent (or us, when it was re-parented) before signalling through
 * the pidfd. When no pidfd can be had (no pidfd_open before Linux 5.3, no fd left) kill() it is.
 */
static void signal_member(pid_t pid, pid_t scanned_ppid, int sig) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno != ESRCH) kill(pid, sig);
    return;
  }
  pid_t ppid;
  char st;
  if (read_stat(pid, &ppid, &st) == 0 && (ppid == scanned_ppid || ppid == getpid())) {
    syscall(SYS_pidfd_send_signal, (int)fd, sig, NULL, 0);
  }
  close((int)fd);
}

/* Send sig to every live process of the subtree. Returns how many processes (zombies too) remain. */
static size_t signal_subtree(int sig) {
  static struct proc_table table;
  read_proc_table(&table);
  char *in_tree = malloc(table.len ? table.len : 1);
  if (!in_tree) abort();
  size_t count = mark_descendants(&table, in_tree);
  for (size_t i = 0; sig != 0 && i < table.len; i++) {
    if (in_tree[i] && table.state[i] != 'Z') signal_member(table.pid[i], table.ppid[i], sig);
  }
  free(in_tree);
  return count;
}

static void reap_children(struct state *s) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    s->reaped++;
    if (pid == s->command_pid) {
      s->command_status = status;
      s->command_reaped = 1;
    }
  }
}

static void enter_killing(struct state *s) { s->phase = KILLING; }

static void enter_draining(struct state *s, const struct options *opt) {
  s->phase = DRAINING;
  s->drain_deadline_ms = now_ms() + opt->grace_ms;
  if (!s->term_forwarded) signal_subtree(SIGTERM);
}

static void handle_control_line(struct state *s, const char *line) {
  if (strcmp(line, "kill") == 0) {
    enter_killing(s);
  } else if (strncmp(line, "signal ", 7) == 0) {
    long sig = strtol(line + 7, NULL, 10);
    if (sig > 0 && sig < 65) signal_subtree((int)sig);
  }
}

/* Read what the supervisor wrote; EOF means the supervisor is gone. */
static void read_control(struct state *s) {
  ssize_t n = read(s->control_fd, s->control_buf + s->control_len, sizeof s->control_buf - 1 - s->control_len);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    close(s->control_fd);
    s->control_fd = -1;
    enter_killing(s);
    return;
  }
  s->control_len += (size_t)n;
  s->control_buf[s->control_len] = '\0';
  char *start = s->control_buf;
  char *nl;
  while ((nl = strchr(start, '\n')) != NULL) {
    *nl = '\0';
    handle_control_line(s, start);
    start = nl + 1;
  }
  s->control_len = strlen(start);
  memmove(s->control_buf, start, s->control_len + 1);
  if (s->control_len == sizeof s->control_buf - 1) s->control_len = 0; /* overlong line: drop it */
}

static void read_signals(struct state *s, const struct options *opt) {
  struct signalfd_siginfo info;
  while (read(s->signal_fd, &info, sizeof info) == (ssize_t)sizeof info) {
    int sig = (int)info.ssi_signo;
    if (sig == SIGCHLD) continue; /* reaping happens after every wake-up */
    if (parent_is_gone(opt)) {
      enter_killing(s);
    } else if (s->phase != KILLING) {
      signal_subtree(sig);
      if (sig == SIGTERM) s->term_forwarded = 1;
    }
  }
}

static int poll_timeout(const struct state *s) {
  if (s->phase == KILLING) return 10;
  if (s->phase == DRAINING) {
    long long left = s->drain_deadline_ms - now_ms();
    return left <= 0 ? 0 : left > 100 ? 100 : (int)left;
  }
  return -1;
}

static void wait_for_events(struct state *s, const struct options *opt) {
  struct pollfd fds[2] = {{s->signal_fd, POLLIN, 0}, {s->control_fd, POLLIN, 0}};
  int nfds = s->control_fd >= 0 ? 2 : 1;
  int ready = poll(fds, (nfds_t)nfds, poll_timeout(s));
  if (ready < 0) return;
  if (fds[0].revents) read_signals(s, opt);
  if (nfds == 2 && fds[1].revents) read_control(s);
}

/* One step of the shutdown: move phases forward and report whether the subtree is empty. */
static int advance(struct state *s, const struct options *opt) {
  reap_children(s);
  if (s->phase == RUNNING && s->command_reaped) enter_draining(s, opt);
  if (s->phase == DRAINING && now_ms() >= s->drain_deadline_ms) enter_killing(s);
  if (s->phase == RUNNING) return 0;
  size_t left = signal_subtree(s->phase == KILLING ? SIGKILL : 0);
  reap_children(s);
  return left == 0 && s->command_reaped;
}

static void write_report(const struct state *s, int fd) {
  if (fd < 0) return;
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  int st = s->command_status;
  char code[16] = "null";
  if (!s->exec_errno && WIFEXITED(st)) snprintf(code, sizeof code, "%d", WEXITSTATUS(st));
  if (s->exec_errno) snprintf(code, sizeof code, "%d", s->exec_errno == ENOENT ? 127 : 126);
  char line[512];
  int n = snprintf(line, sizeof line,
                   "{\"pid\":%d,\"code\":%s,\"signal\":%d,\"coreDumped\":%s,\"userCpuMs\":%.3f,"
                   "\"systemCpuMs\":%.3f,\"maxRssKb\":%ld,\"reaped\":%ld,\"execErrno\":%d}\n",
                   (int)s->command_pid, code, !s->exec_errno && WIFSIGNALED(st) ? WTERMSIG(st) : 0,
                   !s->exec_errno && WIFSIGNALED(st) && WCOREDUMP(st) ? "true" : "false",
                   ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
                   ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3, ru.ru_maxrss, s->reaped,
                   s->exec_errno);
  if (n > 0) (void)!write(fd, line, (size_t)n);
}

/* Exit the way the command did, so the supervisor's own exit watcher sees the same status. */
static void exit_like(const struct state *s) {
  if (s->exec_errno) _exit(s->exec_errno == ENOENT ? 127 : 126);
  int st = s->command_status;
  if (WIFEXITED(st)) _exit(WEXITSTATUS(st));
  int sig = WTERMSIG(st);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  kill(getpid(), sig);
  sigprocmask(SIG_UNBLOCK, &only, NULL);
  _exit(128 + sig);
}

int main(int argc, char **argv) {
  struct options opt;
  parse_options(argc, argv, &opt);
  keep_private(opt.control_fd);
  keep_private(opt.status_fd);

  struct state s;
  memset(&s, 0, sizeof s);
  s.phase = RUNNING;
  s.control_fd = opt.control_fd;
  sigset_t old_mask;
  s.signal_fd = block_signals(&old_mask);

  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) perror("procctl-reaper: PR_SET_CHILD_SUBREAPER");
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  /* The supervisor may have died between our clone and the prctl: then no signal will ever come. */
  if (parent_is_gone(&opt)) {
    fprintf(stderr, "procctl-reaper: supervisor %d is gone before the command started\n", (int)opt.expected_ppid);
    _exit(EXIT_USAGE);
  }

  s.command_pid = start_command(opt.argv, &old_mask, &s.exec_errno);
  if (s.command_pid < 0) {
    perror("procctl-reaper: fork");
    _exit(EXIT_USAGE);
  }
  if (s.exec_errno) {
    fprintf(stderr, "procctl-reaper: %s: %s\n", opt.argv[0], strerror(s.exec_errno));
  }

  while (!advance(&s, &opt)) wait_for_events(&s, &opt);
  write_report(&s, opt.status_fd);
  exit_like(&s);
}
