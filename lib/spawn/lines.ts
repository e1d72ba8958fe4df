// Output as lines: an async iterator over a child's stdout, stderr or both interleaved, and the
// split exec() uses for `lines: true`. A line ends at '\n'; a '\r' before it is dropped (CRLF);
// the last line is kept even without a newline. The iterator holds at most a bounded number of
// lines: past that it pauses the streams, the pipe fills and the child blocks in write(), so
// reading 100 MB of output line by line keeps this process's memory flat.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Which output lines() reads: 'stdout', 'stderr', or 'all' (both, interleaved as lines arrive). */
export type LinesFrom = 'stdout' | 'stderr' | 'all';

export interface LinesOptions {
  /**
   * The stream to read; 'all' interleaves stdout and stderr line by line, in arrival order.
   * @default 'stdout'
   */
  from?: LinesFrom;
  /**
   * How the bytes are decoded.
   * @default 'utf8'
   */
  encoding?: BufferEncoding;
}

/** Lines queued before the streams are paused. */
const HIGH_WATER_LINES = 1024;

function dropCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** A whole text as lines: no empty entry after a final newline, '' → []. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map(dropCarriageReturn);
}

/** Remove one final '\n' or '\r\n'. */
export function stripFinalNewline<T extends string | Buffer>(output: T): T {
  if (typeof output === 'string') {
    if (!output.endsWith('\n')) return output;
    return output.slice(0, output.endsWith('\r\n') ? -2 : -1) as T;
  }
  const buffer = output as Buffer;
  if (buffer.length === 0 || buffer[buffer.length - 1] !== 0x0a) return output;
  const cut = buffer.length >= 2 && buffer[buffer.length - 2] === 0x0d ? 2 : 1;
  return buffer.subarray(0, buffer.length - cut) as T;
}

/** Lines of the given streams, interleaved as whole lines in the order they complete. */
export async function* readLines(streams: readonly Readable[], encoding: BufferEncoding = 'utf8'): AsyncGenerator<string, void, undefined> {
  let queue: string[] = [];
  let head = 0;
  let open = streams.length;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let paused = false;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const detach: Array<() => void> = [];
  for (const stream of streams) {
    const decoder = new StringDecoder(encoding);
    let partial = '';
    const take = (text: string): void => {
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const part of parts) queue.push(dropCarriageReturn(part));
    };
    const onData = (chunk: Buffer | string): void => {
      take(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      if (queue.length - head >= HIGH_WATER_LINES && !paused) {
        paused = true;
        for (const s of streams) s.pause();
      }
      notify();
    };
    let ended = false;
    const onEnd = (): void => {
      if (ended) return;
      ended = true;
      take(decoder.end());
      if (partial !== '') queue.push(dropCarriageReturn(partial));
      partial = '';
      open--;
      notify();
    };
    // A pipe destroyed by a stop (EIO, ECONNRESET) ends its lines; any other error is the caller's.
    const onError = (error: Error): void => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ECONNRESET' && code !== 'EIO' && code !== 'EPIPE') failure ??= error;
      onEnd();
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.on('error', onError);
    detach.push(() => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onError);
    });
    // A stream already finished before iteration began has nothing more to give.
    if (stream.readableEnded || stream.destroyed) onEnd();
  }
  try {
    for (;;) {
      if (head < queue.length) {
        const line = queue[head++]!;
        if (head > 4096 && head * 2 > queue.length) {
          queue = queue.slice(head);
          head = 0;
        }
        if (paused && queue.length - head < HIGH_WATER_LINES / 2) {
          paused = false;
          for (const s of streams) s.resume();
        }
        yield line;
        continue;
      }
      if (failure !== undefined) throw failure;
      if (open === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // Stopped early (break) or finished: the rest of the output is read and dropped, so the child
    // is never left blocked on a full pipe.
    for (const off of detach) off();
    for (const stream of streams) stream.resume();
  }
}
