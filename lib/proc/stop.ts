// Why a process is stopped, in plain words: /proc/PID/stat gives the state and the terminal's
// foreground group (tpgid); /proc/PID/syscall gives the call it was in when the stop came, which
// tells a background group stopped for touching its terminal (SIGTTIN/SIGTTOU) from a stop signal.
import { readFileSync, readlinkSync } from 'node:fs';
import type { ProcStat } from './stat.js';

export type StopCause = 'terminal-input' | 'terminal-output' | 'signal' | 'tracer';

export interface StopInfo {
  cause: StopCause;
  /** One plain sentence: 'stopped: background process group reading its terminal (SIGTTIN)'. */
  explanation: string;
}

/** Syscall numbers that read, or write/change, a file: x86_64 and arm64 (the prebuilt arches). */
const SYSCALLS: Readonly<Record<string, { input: ReadonlySet<number>; output: ReadonlySet<number> }>> = {
  // read readv pread64 preadv preadv2 / write writev pwrite64 pwritev pwritev2 ioctl
  x64: { input: new Set([0, 19, 17, 295, 327]), output: new Set([1, 20, 18, 296, 328, 16]) },
  arm64: { input: new Set([63, 65, 67, 69, 286]), output: new Set([64, 66, 68, 70, 287, 29]) },
};

const EXPLANATIONS: Readonly<Record<StopCause, string>> = {
  'terminal-input': 'stopped: background process group reading its terminal (SIGTTIN); `fg` in its shell gives it the terminal',
  'terminal-output': 'stopped: background process group writing to or setting its terminal (SIGTTOU); `fg` in its shell gives it the terminal',
  signal: 'stopped: by a stop signal (SIGSTOP, or SIGTSTP from Ctrl-Z); SIGCONT continues it (`fg` or `bg` in its shell)',
  tracer: 'stopped: by its tracer (a debugger or strace); it runs on when the tracer lets it',
};

/** [syscall number, first argument] the stopped task was in, or undefined (running, or EACCES). */
function currentSyscall(pid: number): [number, number] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/syscall`, 'utf8');
  } catch {
    return undefined;
  }
  const [nr, arg0] = text.trim().split(' ');
  const number = Number(nr);
  if (!Number.isInteger(number) || number < 0 || arg0 === undefined) return undefined;
  return [number, Number.parseInt(arg0, 16)];
}

function isTerminal(pid: number, fd: number): boolean {
  try {
    return /^\/dev\/(pts\/\d+|tty\w*|console)$/.test(readlinkSync(`/proc/${pid}/fd/${fd}`));
  } catch {
    return false;
  }
}

/** Why the process is stopped, or null when it is not stopped. */
export function explainStop(stat: ProcStat): StopInfo | null {
  if (stat.state === 't') return { cause: 'tracer', explanation: EXPLANATIONS.tracer };
  if (stat.state !== 'T') return null;
  let cause: StopCause = 'signal';
  const background = stat.tpgid > 0 && stat.tpgid !== stat.pgid;
  const calls = SYSCALLS[process.arch];
  const current = background && calls !== undefined ? currentSyscall(stat.pid) : undefined;
  if (current !== undefined && isTerminal(stat.pid, current[1])) {
    if (calls!.input.has(current[0])) cause = 'terminal-input';
    else if (calls!.output.has(current[0])) cause = 'terminal-output';
  }
  return { cause, explanation: EXPLANATIONS[cause] };
}
