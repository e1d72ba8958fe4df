// /proc/PID/cmdline as an argv array. Empty for kernel threads and zombies.
import { readFileSync } from 'node:fs';
import { isGone, noSuchProcess } from './stat.js';

export function readCmdline(pid: number): string[] {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch (error) {
    throw isGone(error) ? noSuchProcess(pid, error) : error;
  }
  if (text === '') return [];
  // NUL-terminated entries; a process that rewrote its argv may drop the final NUL.
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** A one-line command as ps prints it: argv joined, or [comm] when there is no argv. */
export function commandLine(argv: readonly string[], comm: string): string {
  return argv.length > 0 ? argv.join(' ') : `[${comm}]`;
}
