// exec()'s own options (input, encoding, maxBuffer, drainTimeout, reject, all, stripFinalNewline,
// lines) checked beside the spawn options they extend.
import type { Readable } from 'node:stream';
import { checkBoolean, checkTimerMilliseconds, copyOptions, echo, rangeError, typeError } from '../validate.js';
import { SPAWN_OPTION_NAMES, validateSpawnFields, type ValidatedSpawn } from '../spawn/options.js';

export interface ValidatedExec {
  spawn: ValidatedSpawn;
  input: string | Buffer | Uint8Array | Readable | null;
  encoding: BufferEncoding | 'buffer';
  maxBuffer: number;
  drainTimeout: number;
  reject: boolean;
  all: boolean;
  stripFinalNewline: boolean;
  lines: boolean;
}

const EXEC_OPTION_NAMES: ReadonlySet<string> = new Set([
  ...SPAWN_OPTION_NAMES, 'input', 'encoding', 'maxBuffer', 'drainTimeout', 'reject', 'all', 'stripFinalNewline', 'lines',
]);

function validateInput(value: unknown): ValidatedExec['input'] {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (typeof value === 'object' && typeof (value as Readable).pipe === 'function') return value as Readable;
  throw typeError('input', 'a string, Buffer, Uint8Array or Readable stream', value);
}

function validateEncoding(value: unknown): BufferEncoding | 'buffer' {
  if (value === undefined) return 'utf8';
  if (value === 'buffer' || (typeof value === 'string' && Buffer.isEncoding(value))) return value as BufferEncoding | 'buffer';
  throw typeError('encoding', `'buffer' or a Buffer encoding such as 'utf8', 'latin1', 'base64'`, value);
}

export function validateMaxBuffer(value: unknown): number {
  if (value === undefined) return 64 * 1024 * 1024;
  const expected = 'an integer number of bytes >= 1, or Infinity';
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError('maxBuffer', expected, value);
  if (value !== Infinity && (!Number.isSafeInteger(value) || value < 1)) throw rangeError('maxBuffer', expected, value);
  return value;
}

export function validateExecOptions(file: unknown, args: unknown, options: unknown): ValidatedExec {
  const o = copyOptions(options, EXEC_OPTION_NAMES, 'exec()');
  const input = validateInput(o.input);
  // exec owns stdout/stderr; stdin is a pipe only when there is input to write.
  if (o.stdio === undefined) o.stdio = [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'];
  const spawn = validateSpawnFields(file, args, o);
  if (input !== null && spawn.stdio[0]?.kind !== 'pipe') {
    throw new TypeError(`input needs stdio[0] to be 'pipe'; got stdio ${echo(o.stdio)}`);
  }
  const encoding = validateEncoding(o.encoding);
  const lines = checkBoolean(o.lines, 'lines', false);
  if (lines && encoding === 'buffer') {
    throw new TypeError(`lines: true needs a text encoding; got encoding 'buffer' (use 'utf8' or leave encoding out)`);
  }
  return {
    spawn,
    input,
    encoding,
    maxBuffer: validateMaxBuffer(o.maxBuffer),
    drainTimeout: checkTimerMilliseconds(o.drainTimeout, 'drainTimeout', 100),
    reject: checkBoolean(o.reject, 'reject', true),
    all: checkBoolean(o.all, 'all', false),
    stripFinalNewline: checkBoolean(o.stripFinalNewline, 'stripFinalNewline', false),
    lines,
  };
}

