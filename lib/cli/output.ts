// Terminal output of the CLI: colour only on a TTY and never with NO_COLOR, errors as exactly one
// line `procctl: …` on stderr. Errors are written with writeSync on fd 2 so that no stream object
// is created (a stream would change the fd's blocking mode, which a child shares).
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

/** NO_COLOR (no-color.org): any non-empty value disables colour. */
export function colorEnabled(fd = 1): boolean {
  const noColor = process.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return isatty(fd);
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

/** Pad to a width, counting characters rather than escape codes (callers pad before painting). */
export function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}
