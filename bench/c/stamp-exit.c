/*
 * The child of the exit-notification benchmark: it opens FILE, reads CLOCK_MONOTONIC (the clock
 * behind Node's process.hrtime.bigint()), writes that stamp in nanoseconds at offset 0 of FILE
 * and _exits at once. The parent's latency is (time its exit callback ran) - (stamp).
 *
 *   stamp-exit FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return 1;
  char text[24];
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  int len = snprintf(text, sizeof text, "%020lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  if (pwrite(fd, text, (size_t)len, 0) != len) return 1;
  _exit(0);
}
