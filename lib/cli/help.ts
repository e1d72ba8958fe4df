// Help texts of procctl and of every command (exec, inspect, tree, init, run, help). `procctl help
// CMD` runs `procctl CMD --help`, so every help has one source. The exit statuses are in status.ts.

const OVERVIEW = `Usage: procctl <command> [options]

Low-level process control for Linux.

Commands:
  exec [options] [--] COMMAND [ARG...]   run COMMAND with a clean signal/fd/group setup
  inspect PID [--json]                   ids, state, signal dispositions, fds and who shares them
  tree [PID] [--json]                    process tree with pgid/sid/state, leaders, zombies, orphans
  init [options] [--] COMMAND [ARG...]   PID 1 / subreaper: forward signals, reap zombies
  run [Procfile]                         run a Procfile, each entry in its own process group
  help [COMMAND]                         show help for a command

Options:
  -h, --help      show this help
  -V, --version   print the version

Exit status of exec: the command's; 124 timed out; 125 procctl failed (usage);
126 found but not executable; 127 not found; 128+N killed by signal N.
`;

const EXEC = `Usage: procctl exec [options] [--] COMMAND [ARG...]

Run COMMAND. Without --timeout procctl replaces itself with COMMAND (same PID, like env(1));
with --timeout it stays as the parent, forwards signals to the command's process group and
signals the whole group at the deadline. At a terminal (stdin a terminal in procctl's
foreground) the command's group gets the terminal and Ctrl-Z/fg/bg act on the whole job.

Signals:
  --reset-signals             every disposition 1..SIGRTMAX to default, signal mask emptied
  --default-signal SIG[,SIG]  set these to the default action (repeatable)
  --ignore-signal SIG[,SIG]   ignore these (repeatable; not KILL or STOP)
  --block-signal SIG[,SIG]    block these in the signal mask (repeatable; not KILL or STOP)
Grouping:
  --new-group                 the command leads a new process group
  --new-session               the command leads a new session (setsid)
File descriptors (default: every inherited fd >= 3 is closed):
  --keep-fd N                 keep fd N open (repeatable)
  --keep-fds                  keep every inherited fd
Environment:
  --cwd DIR                   run in DIR
  --env NAME=VALUE            set a variable (repeatable)
Timeout:
  --timeout DURATION          signal the command's group after DURATION (0: no timeout)
  -s, --signal SIG            signal sent at the deadline (default TERM)
  -k, --kill-after DURATION   then SIGKILL the group if it is still running
  --cleanup                   when the command exits, stop what is left in its group
  --preserve-status           exit with the command's status even when the deadline fired
  --foreground                keep the command in procctl's group and signal only the command
                              (as timeout(1) --foreground: what it started is not timed out)
  -v, --verbose               print one line on stderr naming the signal sent at the deadline

DURATION: 10 (seconds), 1.5s, 250ms, 2m, 1h, 1d.  SIG: TERM, SIGTERM, term, 15, RTMIN+3.
Node ignores SIGPIPE and SIGXFSZ; procctl always gives the command the default action for both.

Exit status: the command's; 124 timed out; 137 timed out and had to be KILLed; 125 procctl
failed; 126 found but not executable; 127 not found; 128+N the command died of signal N.
`;

const INSPECT = `Usage: procctl inspect PID [--json]

Show a process: ppid, pgid, sid, tty, state, command line; the terminal's foreground group and,
for a stopped process, why it stopped (e.g. a background group reading its terminal); its
ignored, blocked, caught and pending signals by name; every open fd with the other processes
that hold the same pipe, FIFO or socket (for unix sockets: the process on the other end).

Options:
  --json        print one JSON object
  -h, --help    show this help

Exit status: 0; 1 when PID does not exist; 2 on a usage error.
`;

const TREE = `Usage: procctl tree [PID] [--json]

Show the process tree under PID (default 1) with pgid, sid and state. Marks group leaders,
session leaders, zombies and orphans (reparented to PID 1 or a subreaper).

Options:
  --json        print one nested JSON object
  -h, --help    show this help

Exit status: 0; 1 when PID does not exist; 2 on a usage error.
`;

const INIT = `Usage: procctl init [options] [--] COMMAND [ARG...]

Run COMMAND as a container's PID 1 would: in a new session (in a new group that gets the
terminal when procctl is the terminal's foreground), as PID 1 or a child subreaper.
Every signal procctl receives is forwarded to COMMAND's process group (TSTP, TTIN and TTOU are
forwarded, then procctl stops itself); every zombie is reaped. When COMMAND exits, what is left
gets SIGTERM, then SIGKILL after --kill-after; procctl exits with COMMAND's status (128+N if a
signal N killed it), or 125 on its own failure (127/126: COMMAND not found / not executable).
procctl becomes the static procctl-init (same PID) once the options are checked.

Options:
  --kill-after DURATION   grace between SIGTERM and SIGKILL for leftovers (default 5s)
  --rewrite SIG:SIG       forward the first signal as the second (repeatable); SIG:0 drops it.
                          KILL, STOP and CHLD cannot be rewritten (never forwarded).
                          COMMAND's group is orphaned (own session), so the kernel discards
                          TSTP/TTIN/TTOU sent to it: --rewrite TSTP:STOP makes them stop it
  -h, --help              show this help
`;

const RUN = `Usage: procctl run [options] [NAME...]

Run the 'name: command' entries of the Procfile (default ./Procfile; only the NAMEs given, if any)
with sh -c, each process in its own process group, in the Procfile's directory. Output lines are
prefixed with the process's name. PORT is the base port (--port, else $PORT, else 5000) plus 100
per Procfile entry plus 1 per copy, as foreman assigns it; .env next to the Procfile (or --env
FILE[,FILE]) is loaded. Ctrl-C, TERM or HUP stops every group (TERM, --stop-timeout, KILL; a second
signal kills at once) and exits 0. When a process exits by itself the others are stopped and
procctl exits with its status (128+N for signal N); 125 on its own failure.

Options:
  -f, --procfile FILE       the Procfile (default ./Procfile)
  -e, --env FILE[,FILE]     environment files (default: .env next to the Procfile, if present)
  -m, --formation SPEC      copies per entry: web=2,worker=1 (all=N for the rest; 0 runs none);
                            several copies are named web.1, web.2, ...
  -t, --timestamp           start every output line with the time of day (HH:MM:SS)
  -p, --port N              base port (default $PORT or 5000)
  --stop-timeout DURATION   grace between TERM and KILL (default 10s)
  -h, --help                show this help
`;

const HELP = `Usage: procctl help [COMMAND]

Show help for procctl or for one of its commands: exec, inspect, tree, init, run.
`;

const TEXTS: Readonly<Record<string, string>> = { exec: EXEC, inspect: INSPECT, tree: TREE, init: INIT, run: RUN, help: HELP };

/** The overview for undefined, else the text of exec/inspect/tree/init/run/help; undefined otherwise. */
export function helpText(command?: string): string | undefined {
  if (command === undefined) return OVERVIEW;
  return Object.hasOwn(TEXTS, command) ? TEXTS[command] : undefined;
}
