// The child's signals and group, as options: group, session and takeTerminal, the dispositions
// and mask at exec (resetSignals, ignoreSignals, blockSignals, defaultSignals), deathSignal, and how
// its own limits stop it (timeout, killSignal, killAfter, signal).
import { DEFAULT_STOP_SIGNAL, UNCATCHABLE, parseSignal, parseSignalList } from '../signals.js';
import { checkBoolean, checkTimerMilliseconds, echo, rangeError, typeError } from '../validate.js';

/**
 * group, session and takeTerminal: the child's process group (-1 ours, 0 new, >0 join), setsid,
 * and whether its group takes the terminal.
 */
export function validateGrouping(group: unknown, session: unknown, takeTerminal?: unknown): { pgid: number; setsid: boolean; takeTerminal: boolean } {
  const setsid = checkBoolean(session, 'session', false);
  const takes = checkBoolean(takeTerminal, 'takeTerminal', false);
  let pgid: number;
  if (group === undefined || group === 'new') pgid = 0;
  else if (group === 'inherit') pgid = -1;
  else if (typeof group === 'number') {
    if (!Number.isInteger(group) || group < 1 || group > 4194304) {
      throw rangeError('group', `'new', 'inherit' or a process group id from 1 to 4194304`, group);
    }
    pgid = group;
  } else throw typeError('group', `'new', 'inherit' or a process group id`, group);
  if (setsid && pgid !== 0) {
    throw new TypeError(
      `group ${echo(group)} cannot be combined with session: true (a new session always leads a new group); use group 'new' or omit it`,
    );
  }
  if (takes && (setsid || pgid === -1)) {
    throw new TypeError(
      `takeTerminal: true needs the child in a group of its own in this session (group 'new' or a pgid, without session); got ${setsid ? 'session: true' : "group 'inherit'"}`,
    );
  }
  return { pgid, setsid, takeTerminal: takes };
}

function checkSignalList(value: unknown, option: string): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError(option, 'an array of signal names or numbers', value);
  return parseSignalList(value, option);
}

/** resetSignals, ignoreSignals, blockSignals, defaultSignals → dispositions and the mask. */
export function validateSignalSetup(options: Record<string, unknown>): {
  resetSignals: boolean;
  defaultSignals: number[];
  ignoreSignals: number[];
  mask: number[] | null;
} {
  const resetSignals = checkBoolean(options.resetSignals, 'resetSignals', true);
  const ignoreSignals = checkSignalList(options.ignoreSignals, 'ignoreSignals');
  const blockSignals = checkSignalList(options.blockSignals, 'blockSignals');
  // SIGKILL and SIGSTOP are always SIG_DFL (sigaction refuses them): nothing to do for those.
  const defaultSignals = checkSignalList(options.defaultSignals, 'defaultSignals').filter((n) => !UNCATCHABLE.has(n));
  for (const [option, list] of [['ignoreSignals', ignoreSignals], ['blockSignals', blockSignals]] as const) {
    const bad = list.find((n) => UNCATCHABLE.has(n));
    if (bad !== undefined) {
      throw rangeError(option, 'signals other than SIGKILL and SIGSTOP (the kernel refuses those)', options[option]);
    }
  }
  const both = ignoreSignals.find((n) => defaultSignals.includes(n));
  if (both !== undefined) {
    throw new TypeError(
      `ignoreSignals and defaultSignals both name signal ${both}; got ignoreSignals ${echo(options.ignoreSignals)}, defaultSignals ${echo(options.defaultSignals)}`,
    );
  }
  const blocked = options.blockSignals === undefined || options.blockSignals === null ? null : blockSignals;
  return { resetSignals, defaultSignals, ignoreSignals, mask: blocked ?? (resetSignals ? [] : null) };
}

export function validateDeathSignal(value: unknown): number {
  if (value === undefined || value === null || value === 0) return 0;
  return parseSignal(value, 'deathSignal');
}

/** timeout, killSignal, killAfter: how a timeout (or abort) stops the group. */
export function validateTimeouts(options: Record<string, unknown>): { timeout: number; killSignal: number; killAfter: number } {
  const timeout = checkTimerMilliseconds(options.timeout, 'timeout', 0);
  const killSignal = options.killSignal === undefined ? DEFAULT_STOP_SIGNAL : parseSignal(options.killSignal, 'killSignal');
  const killAfter = checkTimerMilliseconds(options.killAfter, 'killAfter', 5000, true);
  return { timeout, killSignal, killAfter };
}

export function validateAbortSignal(value: unknown): AbortSignal | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof AbortSignal)) throw typeError('signal', 'an AbortSignal', value);
  return value;
}
