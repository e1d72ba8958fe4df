// Terminal output of the CLI: colour only on a TTY and never with NO_COLOR, errors as exactly one
// line `procctl: …` on stderr. Errors are written with writeSync on fd 2 so that no stream object
// is created (a stream would change the fd's blocking mode, which a child shares).
import { fstatSync, writeSync } from 'node:fs';

/** Major number of /dev/null, /dev/zero and the other memory devices: never a terminal. */
const MEMORY_DEVICES = 1;

/**
 * isatty(fd), loading node:tty (and with it node:net and the stream machinery) only for a
 * character device that may be a terminal: output to a pipe, a file or /dev/null (the usual case
 * for a command run by a program) is answered by one fstat.
 */
export function isTerminal(fd: number): boolean {
  let major: number;
  try {
    const stat = fstatSync(fd);
    if (!stat.isCharacterDevice()) return false;
    major = (stat.rdev >> 8) & 0xfff;
  } catch {
    return false; // closed
  }
  if (major === MEMORY_DEVICES) return false;
  // Node < 20.16 has no getBuiltinModule: a character device outside the memory devices is then
  // taken for a terminal (the only other ones are rare device nodes such as /dev/kmsg).
  const tty = (process.getBuiltinModule as typeof process.getBuiltinModule | undefined)?.('node:tty');
  return tty === undefined ? true : tty.isatty(fd);
}

/** NO_COLOR (no-color.org): any non-empty value disables colour. */
export function colorEnabled(fd = 1): boolean {
  const noColor = process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return isTerminal(fd);
}

export interface Palette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\x1b[${open}m${text}\x1b[${close}m`;
}

const identity = (text: string): string => text;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { bold: identity, dim: identity, red: identity, yellow: identity, green: identity, cyan: identity };
  return { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), cyan: sgr(36, 39) };
}

/** Print `procctl: message` as a single line on stderr. */
export function printError(message: string): void {
  const line = `procctl: ${message.replace(/\s*\n\s*/g, '; ')}\n`;
  try {
    writeSync(2, line);
  } catch {
    // stderr closed: nothing else to tell
  }
}

/** Write text to stdout synchronously (pipes, files and TTYs are all written in full). */
export function printOut(text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EPIPE') return; // the reader left (`procctl tree | head`): nothing to do
      if (code !== 'EAGAIN') throw error;
      // stdout left non-blocking by someone else: wait for room rather than drop output
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * Text another process controls (argv, comm, file and socket names) made safe for a terminal, as
 * ps does: every control character (C0, DEL, C1) becomes '?', and so do the Unicode line
 * separators and bidirectional overrides that would reorder or forge what the viewer reads. A
 * process named "\e[2J…\nPID 1 root" can then neither clear the screen nor add a line. --json keeps
 * the exact text (JSON escapes every control character).
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** Pad to a width, counting characters rather than escape codes (callers pad before painting). */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
