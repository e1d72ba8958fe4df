// Line-by-line relay of a child's output with a prefix, for the Procfile runner. Lines are
// written whole (never interleaved mid-line with another child's output); a last line without a
// newline is flushed when the stream ends.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Relay every line of `stream` through write(prefix + line + '\n'); resolves at end of stream. */
export function relayLines(stream: Readable, prefix: string, write: (text: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  const emit = (text: string): void => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    if (lines.length > 0) write(lines.map((line) => `${prefix}${line}\n`).join(''));
  };
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
    const finish = (): void => {
      emit(decoder.end());
      if (partial !== '') write(`${prefix}${partial}\n`);
      partial = '';
      resolve();
    };
    stream.once('end', finish);
    stream.once('error', finish);
  });
}
