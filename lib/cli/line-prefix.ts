// Line-by-line relay of a child's output with a prefix, for the Procfile runner. Lines are
// written whole (never interleaved mid-line with another child's output); a last line without a
// newline is flushed when the stream ends.
//
// Linear in the bytes relayed: an unfinished line is kept as a list of pieces (never re-joined
// per chunk), and a line longer than MAX_LINE_LENGTH characters is relayed in pieces of that
// length, each on its own prefixed line, so memory stays bounded whatever the child writes.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest line relayed as one line (in characters); a longer one is split into lines this long. */
export const MAX_LINE_LENGTH = 64 * 1024;

/** Whether cutting `text` at `at` would cut a surrogate pair in two. */
function splitsPair(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff;
}

/** Relay every line of `stream` through write(prefix + line + '\n'); resolves at end of stream. */
export function relayLines(
  stream: Readable,
  prefix: string,
  write: (text: string) => void,
  maxLine: number = MAX_LINE_LENGTH,
): Promise<void> {
  if (!Number.isInteger(maxLine) || maxLine < 2) throw new RangeError(`maxLine must be an integer >= 2; got ${maxLine}`);
  const decoder = new StringDecoder('utf8');
  let pending: string[] = [];
  let pendingLength = 0;
  const out: string[] = [];
  const endLine = (): void => {
    out.push(prefix, pending.length === 1 ? pending[0]! : pending.join(''), '\n');
    pending = [];
    pendingLength = 0;
  };
  const keep = (piece: string): void => {
    if (piece === '') return;
    pending.push(piece);
    pendingLength += piece.length;
  };
  const take = (text: string): void => {
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      // Past the cap: cut the line into pieces of exactly maxLine characters.
      while (pendingLength + (end - start) > maxLine) {
        let cut = start + (maxLine - pendingLength);
        // Keep a pair whole: this piece ends one unit short (the line then has maxLine - 1).
        if (splitsPair(text, cut)) cut--;
        keep(text.slice(start, cut));
        endLine();
        start = cut;
      }
      keep(text.slice(start, end));
      if (newline === -1) break;
      endLine();
      start = newline + 1;
    }
    if (out.length > 0) {
      write(out.join(''));
      out.length = 0;
    }
  };
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer) => take(decoder.write(chunk)));
    const finish = (): void => {
      take(decoder.end());
      if (pendingLength > 0) {
        endLine();
        write(out.join(''));
        out.length = 0;
      }
      resolve();
    };
    stream.once('end', finish);
    stream.once('error', finish);
  });
}
