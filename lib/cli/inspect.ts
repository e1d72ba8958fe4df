// procctl inspect PID [--json]: why does this process ignore SIGINT, who still holds this pipe.
import { type FdDetail, type Inspection, type InspectedFd, collectInspection } from '../proc/inspect.js';
import { stateName } from '../proc/stat.js';
import { UsageError, parsePidArg } from './args.js';
import { parseQueryCommand } from './query-args.js';
import { MISSING_STATUS } from './status.js';
import { type Palette, colorEnabled, pad, palette, printError, printOut, printable } from './output.js';

/** Dispositions that silently break shutdown or error handling when ignored or blocked. */
const NOTABLE = new Set(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGPIPE', 'SIGHUP']);

function signalLine(label: string, names: string[], colors: Palette, highlight: (s: string) => string): string {
  const shown = names.length === 0 ? colors.dim('none') : names.map((n) => (NOTABLE.has(n) ? highlight(n) : n)).join(' ');
  return `  ${pad(label, 9)}${shown}\n`;
}

/** Signals whose default action stops a process, and so the ones PID 1 must catch to obey. */
const STOPPING = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/** Plain-words explanations of what the signal sets mean for this process. */
function signalNotes(info: Inspection['info']): string[] {
  const notes: string[] = [];
  if (info.pid === 1) {
    const dropped = STOPPING.filter((n) => !info.signals.caught.includes(n));
    if (dropped.length > 0) {
      notes.push(
        `PID 1 does not catch ${dropped.join(', ')}: the kernel never applies a default action to PID 1, so ${dropped.length > 1 ? 'these do' : 'it does'} nothing ` +
          '(docker stop waits, then SIGKILLs). Run the program under `procctl init`.',
      );
    }
  }
  const ignored = info.signals.ignored.filter((n) => n !== 'SIGPIPE' && NOTABLE.has(n));
  if (ignored.length > 0) {
    notes.push(
      `${ignored.join(', ')} ignored: the process will not stop on ${ignored.length > 1 ? 'them' : 'it'}. SIG_IGN survives exec; ` +
        "a non-interactive shell's `&` sets it for INT and QUIT. Start it with `procctl exec --reset-signals`.",
    );
  }
  if (info.signals.ignored.includes('SIGPIPE')) {
    notes.push('SIGPIPE ignored: writing to a closed pipe fails with EPIPE instead of ending the process (inherited from Node or a shell trap).');
  }
  const blocked = info.signals.blocked.filter((n) => NOTABLE.has(n));
  if (blocked.length > 0) notes.push(`${blocked.join(', ')} blocked: delivery waits until the process unblocks ${blocked.length > 1 ? 'them' : 'it'}.`);
  return notes;
}

function holderText(detail: FdDetail): string {
  return detail.holders
    .map((h) => `${h.pid} ${printable(h.comm)} (fd ${h.fd}${h.mode ? ` ${h.mode}` : ''}${h.peer ? ', other end' : ''})`)
    .join(', ');
}

function fdKind(fd: InspectedFd, detail: FdDetail | undefined): string {
  if (fd.type === 'socket' && detail?.unixPath !== undefined) return detail.unixPath === '' ? 'unix socket' : `unix socket ${printable(detail.unixPath)}`;
  if (fd.type === 'pipe' && detail?.mode !== undefined) return detail.mode === 'r' ? 'pipe, read end' : detail.mode === 'w' ? 'pipe, write end' : 'pipe';
  return fd.type;
}

function fdLines(inspection: Inspection, colors: Palette): string {
  const { info, details } = inspection;
  if (info.fds.length === 0) {
    const why = info.state === 'Z' ? 'none (zombie)' : inspection.kernelThread ? 'none (kernel thread)' : 'none readable';
    return `  ${colors.dim(why)}\n`;
  }
  const targets = new Map(info.fds.map((f) => [f.fd, printable(f.target)]));
  const width = Math.min(40, Math.max(...[...targets.values()].map((t) => t.length)));
  let out = '';
  for (const fd of info.fds) {
    const detail = details.get(fd.fd);
    let line = `  ${String(fd.fd).padStart(3)} ${pad(detail?.mode ?? '', 2)} ${pad(targets.get(fd.fd)!, width)}  ${fdKind(fd, detail)}`;
    if (detail !== undefined && detail.holders.length > 0) line += `  ${colors.yellow('shared with')} ${holderText(detail)}`;
    out += `${line}\n`;
  }
  if (!inspection.peersKnown) out += `  ${colors.dim('(unix socket peers unknown: the native addon with sock_diag is not available)')}\n`;
  return out;
}

function idLine(info: Inspection['info'], colors: Palette): string {
  const leader = info.pid === info.sid ? ' (session leader)' : info.pid === info.pgid ? ' (group leader)' : '';
  return `  ppid ${info.ppid}   pgid ${info.pgid}   sid ${info.sid}   tty ${info.tty ?? '-'}${colors.dim(leader)}\n`;
}

/** The terminal's foreground group against the process's own: who reads the terminal now. */
function terminalLine(info: Inspection['info']): string {
  if (info.foregroundGroup === null) return '';
  const where = info.foregroundGroup === info.pgid ? 'its own group: foreground' : `its group ${info.pgid} is in the background`;
  return `  terminal foreground group ${info.foregroundGroup} (${where})\n`;
}

export function renderInspection(inspection: Inspection, colors: Palette): string {
  const { info } = inspection;
  const command = printable(info.cmdline.length > 0 ? info.cmdline.join(' ') : `[${inspection.comm}]`);
  const state = `${info.state} (${stateName(info.state)})`;
  let out = `${colors.bold(String(info.pid))}  ${command}\n`;
  out += idLine(info, colors);
  out += `  state ${info.state === 'Z' ? colors.red(state) : state}\n`;
  if (info.state === 'Z') out += `  ${colors.red('zombie')}: exited, not yet reaped by its parent ${info.ppid}\n`;
  out += terminalLine(info);
  if (info.stop !== null) out += `  ${colors.yellow(info.stop.explanation)}\n`;
  out += `${colors.bold('signals')}\n`;
  out += signalLine('ignored', info.signals.ignored, colors, (s) => colors.bold(colors.red(s)));
  out += signalLine('blocked', info.signals.blocked, colors, (s) => colors.bold(colors.yellow(s)));
  out += signalLine('caught', info.signals.caught, colors, (s) => s);
  out += signalLine('pending', info.signals.pending, colors, (s) => s);
  if (inspection.kernelThread) out += `  ${colors.dim('kernel thread: no user space, signal dispositions do not apply')}\n`;
  else for (const note of signalNotes(info)) out += `  ${colors.yellow('note')}     ${note}\n`;
  out += `${colors.bold('fds')}\n`;
  out += fdLines(inspection, colors);
  return out;
}

/** PID: exactly one (none needed for --help). */
function inspectedPid(positionals: string[], help: boolean): number {
  if (help) return 0;
  if (positionals.length === 0) throw new UsageError("inspect: missing PID; usage: procctl inspect PID [--json]");
  if (positionals.length > 1) throw new UsageError(`inspect: unexpected argument '${positionals[1]}'; usage: procctl inspect PID [--json]`);
  return parsePidArg(positionals[0] as string);
}

export async function main(argv: string[]): Promise<number> {
  const args = await parseQueryCommand('inspect', argv, inspectedPid);
  if (typeof args === 'number') return args;
  let inspection: Inspection;
  try {
    // procctl itself inherits its caller's stdio; leave it out of "shared with".
    inspection = collectInspection(args.pid, { exclude: [process.pid] });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
    printError(`no such process: ${args.pid}`);
    return MISSING_STATUS;
  }
  printOut(args.json ? `${JSON.stringify(inspection.info, null, 2)}\n` : renderInspection(inspection, palette(colorEnabled())));
  return 0;
}
