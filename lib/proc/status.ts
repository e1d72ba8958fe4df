// /proc/PID/status: the signal sets of a process, as signal numbers, and its capabilities.
import { readFileSync } from 'node:fs';
import { sigsetFromHex } from '../signals.js';
import { isGone, noSuchProcess } from './stat.js';

export interface SignalSets {
  /** Dispositions set to SIG_IGN (process-wide). */
  ignored: number[];
  /** The main thread's mask (/proc/PID/status describes the thread-group leader). */
  blocked: number[];
  /** Dispositions with a handler installed. */
  caught: number[];
  /** Pending for the main thread or for the whole process. */
  pending: number[];
}

const HEX = /^[0-9a-fA-F]+$/;

/** The hex value of the status line `name:` ('0' when absent or not hex). */
function field(text: string, name: string): string {
  // Searched as "\nName:" in "\n" + text, so the first line is found like any other; the match's
  // index there is where the line starts in text.
  const line = `\n${text}`.indexOf(`\n${name}:`);
  if (line < 0) return '0';
  const start = line + name.length + 1;
  const end = text.indexOf('\n', start);
  const value = text.slice(start, end < 0 ? undefined : end).trim();
  return HEX.test(value) ? value : '0';
}

export function parseSignalSets(statusText: string): SignalSets {
  const pending = new Set([...sigsetFromHex(field(statusText, 'SigPnd')), ...sigsetFromHex(field(statusText, 'ShdPnd'))]);
  return {
    ignored: sigsetFromHex(field(statusText, 'SigIgn')),
    blocked: sigsetFromHex(field(statusText, 'SigBlk')),
    caught: sigsetFromHex(field(statusText, 'SigCgt')),
    pending: [...pending].sort((a, b) => a - b),
  };
}

/** Signal sets of a process; `'thread-self'` reads the calling thread's own mask. */
export function readSignalSets(pid: number | 'thread-self'): SignalSets {
  try {
    return parseSignalSets(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch (error) {
    throw isGone(error) && typeof pid === 'number' ? noSuchProcess(pid, error) : error;
  }
}

/** The effective capability set (CapEff) of a process, bit n = capability n; 'self' reads this process. */
export function readEffectiveCapabilities(pid: number | 'self'): bigint {
  try {
    return BigInt(`0x${field(readFileSync(`/proc/${pid}/status`, 'utf8'), 'CapEff')}`);
  } catch (error) {
    throw isGone(error) && typeof pid === 'number' ? noSuchProcess(pid, error) : error;
  }
}
