/*
 * The lower bound for spawn+wait on this machine: glibc's posix_spawn (clone with
 * CLONE_VM|CLONE_VFORK, no page-table copy) followed by waitpid, from a small C process.
 *
 *   spawn-loop serial N MS FILE [ARG...]   one child at a time, N times or until MS milliseconds
 *                                          have passed (at least once); prints a line "TOTAL CALL"
 *                                          per spawn: the ns of the spawn+wait and of the posix_spawn
 *                                          call alone (the caller is suspended, as under vfork)
 *   spawn-loop inflight N K FILE [ARG...]  N children in total, K at a time; prints the total ns
 *   spawn-loop exitstamp N STAMPER FILE    N runs of STAMPER FILE (bench/c/stamp-exit.c); prints
 *                                          N lines, the ns from the child's stamp to waitpid's return
 *   spawn-loop groups N SETTLE_MS FILE [ARG...]
 *                                          N children, each leading its own process group; after
 *                                          SETTLE_MS, SIGTERM to every group, then waitpid until
 *                                          all have exited; prints the ns from the first kill to
 *                                          the last exit (the floor for "TERM to N groups")
 *   spawn-loop serve                       a long-lived bound: prints "ready RSS" (its resident bytes),
 *                                          then reads "serial N MS FILE" lines on stdin and answers
 *                                          each as serial does, then a line "end"; exits at EOF
 *
 * With SPAWN_LOOP_RSS_MIB=N in the environment it first grows its own resident set by N MiB
 * (malloc'ed in 64 MiB blocks, every page written), so the bound can be taken at the same RSS as
 * the Node parent it is compared with. Growing 4 GiB takes seconds, so a bound taken round after
 * round at the same RSS runs in one `serve` process, grown once.
 *
 * bench/run.mjs compiles this on the fly and reads its stdout.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Grow the resident set by mib MiB of written pages, kept until exit. */
static void inflate_rss(long mib) {
  const size_t block = 64UL << 20;
  for (long done = 0; done < mib; done += 64) {
    size_t size = (size_t)(mib - done < 64 ? mib - done : 64) << 20;
    char *memory = malloc(size < block ? size : block);
    if (memory == NULL) {
      fprintf(stderr, "spawn-loop: cannot allocate %ld MiB\n", mib);
      exit(1);
    }
    memset(memory, 0x5a, size);
  }
}

/* posix_spawn argv[0]; on failure says why on stderr and returns the error. */
static int spawn_or_report(pid_t *pid, char **argv, const posix_spawnattr_t *attr) {
  int err = posix_spawn(pid, argv[0], NULL, attr, argv, environ);
  if (err != 0) fprintf(stderr, "spawn-loop: posix_spawn %s: %s\n", argv[0], strerror(err));
  return err;
}

static pid_t start_child(char **argv) {
  pid_t pid;
  if (spawn_or_report(&pid, argv, NULL) != 0) exit(1);
  return pid;
}

static void wait_one(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) < 0) {
    perror("spawn-loop: waitpid");
    exit(1);
  }
}

static void run_serial(long n, long budget_ms, char **argv) {
  long long deadline = now_ns() + budget_ms * 1000000LL;
  for (long i = 0; i < n && (i == 0 || now_ns() < deadline); i++) {
    long long t0 = now_ns();
    pid_t pid = start_child(argv);
    long long t1 = now_ns();
    wait_one(pid);
    printf("%lld %lld\n", now_ns() - t0, t1 - t0);
  }
}

static void run_inflight(long n, long k, char **argv) {
  long started = 0, running = 0;
  long long t0 = now_ns();
  while (started < n || running > 0) {
    while (running < k && started < n) {
      start_child(argv);
      started++;
      running++;
    }
    wait_one(-1);
    running--;
  }
  printf("%lld\n", now_ns() - t0);
}

static void run_groups(long n, long settle_ms, char **argv) {
  pid_t *pids = calloc((size_t)n, sizeof *pids);
  posix_spawnattr_t attr;
  if (pids == NULL || posix_spawnattr_init(&attr) != 0) exit(1);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  for (long i = 0; i < n; i++) {
    if (spawn_or_report(&pids[i], argv, &attr) != 0) {
      for (long j = 0; j < i; j++) kill(-pids[j], SIGKILL);
      exit(1);
    }
  }
  struct timespec settle = {settle_ms / 1000, (settle_ms % 1000) * 1000000L};
  nanosleep(&settle, NULL);
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) kill(-pids[i], SIGTERM);
  for (long i = 0; i < n; i++) wait_one(-1);
  printf("%lld\n", now_ns() - t0);
  posix_spawnattr_destroy(&attr);
  free(pids);
}

/* The stamp the child wrote at offset 0 of path (decimal ns), or -1. */
static long long read_stamp(const char *path) {
  char text[32] = {0};
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t len = read(fd, text, sizeof text - 1);
  close(fd);
  return len > 0 ? atoll(text) : -1;
}

static void run_exitstamp(long n, char *stamper, char *path) {
  char *argv[] = {stamper, path, NULL};
  for (long i = 0; i < n; i++) {
    wait_one(start_child(argv));
    long long woke = now_ns();
    long long stamp = read_stamp(path);
    if (stamp <= 0) {
      fprintf(stderr, "spawn-loop: no stamp in %s\n", path);
      exit(1);
    }
    printf("%lld\n", woke - stamp);
  }
}

/* This process's resident set in bytes, from /proc/self/statm (0 when unreadable). */
static long long resident_bytes(void) {
  long long size = 0, resident = 0;
  FILE *statm = fopen("/proc/self/statm", "r");
  if (statm == NULL) return 0;
  if (fscanf(statm, "%lld %lld", &size, &resident) != 2) resident = 0;
  fclose(statm);
  return resident * sysconf(_SC_PAGESIZE);
}

/* serve: first "ready RSS" (bytes, once grown), then one "serial N MS FILE" request per line
 * (FILE without spaces), each answered as serial does and closed by a line "end". */
static void run_serve(void) {
  printf("ready %lld\n", resident_bytes());
  fflush(stdout);
  char line[4096];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char file[4000];
    long n, budget_ms;
    if (sscanf(line, "serial %ld %ld %3999s", &n, &budget_ms, file) != 3) {
      fprintf(stderr, "spawn-loop: bad request: %s", line);
      exit(2);
    }
    char *argv[] = {file, NULL};
    run_serial(n, budget_ms, argv);
    printf("end\n");
    fflush(stdout);
  }
}

int main(int argc, char **argv) {
  const char *rss_mib = getenv("SPAWN_LOOP_RSS_MIB");
  if (rss_mib != NULL) inflate_rss(atol(rss_mib));
  if (argc >= 5 && strcmp(argv[1], "serial") == 0) {
    run_serial(atol(argv[2]), atol(argv[3]), argv + 4);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "inflight") == 0) {
    run_inflight(atol(argv[2]), atol(argv[3]), argv + 4);
    return 0;
  }
  if (argc >= 5 && strcmp(argv[1], "groups") == 0) {
    run_groups(atol(argv[2]), atol(argv[3]), argv + 4);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "serve") == 0) {
    run_serve();
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "exitstamp") == 0) {
    run_exitstamp(atol(argv[2]), argv[3], argv[4]);
    return 0;
  }
  fprintf(stderr, "usage: spawn-loop serial N MS FILE [ARG...] | inflight N K FILE [ARG...]"
                  " | groups N SETTLE_MS FILE [ARG...] | exitstamp N STAMPER FILE | serve\n");
  return 2;
}
