// Checking option values, and the wording of what is wrong: every validator of procctl reports
// through these, so each TypeError/RangeError names the option, echoes the value and says what is
// valid. The user's options object is copied into a null-prototype object first: a polluted
// Object.prototype (say `Object.prototype.uid = 0`) can neither inject an option nor hide one.
import { inspect } from 'node:util';

/** The value as an error message shows it: short, one line. */
export function echo(value: unknown): string {
  const text = inspect(value, { depth: 1, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 80 });
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function typeError(option: string, expected: string, value: unknown): TypeError {
  return new TypeError(`${option} must be ${expected}; got ${echo(value)}`);
}

export function rangeError(option: string, expected: string, value: unknown): RangeError {
  return new RangeError(`${option} must be ${expected}; got ${echo(value)}`);
}

/** A string without NUL bytes (they would silently cut the C string the kernel sees). */
export function checkCString(value: unknown, option: string, what = 'a string'): string {
  if (typeof value !== 'string') throw typeError(option, `${what} without NUL bytes`, value);
  if (value.includes('\0')) throw typeError(option, `${what} without NUL bytes`, value);
  return value;
}

export function checkBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(option, 'true or false', value);
  return value;
}

/** Milliseconds: a finite number >= 0, or Infinity when allowInfinity. */
export function checkMilliseconds(value: unknown, option: string, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  const expected = `a number of milliseconds >= 0${allowInfinity ? ' or Infinity' : ''}`;
  if (typeof value !== 'number' || Number.isNaN(value)) throw typeError(option, expected, value);
  if (value < 0 || (!allowInfinity && !Number.isFinite(value))) throw rangeError(option, expected, value);
  return value;
}

/** setTimeout's longest delay: a longer one fires after 1 ms (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 0x7fffffff;

/**
 * Milliseconds that end up in one setTimeout: 0 ..= 2147483647 (or Infinity when allowInfinity,
 * which the caller never arms). Longer delays would silently fire at once.
 */
export function checkTimerMilliseconds(value: unknown, option: string, fallback: number, allowInfinity = false): number {
  const ms = checkMilliseconds(value, option, fallback, allowInfinity);
  if (Number.isFinite(ms) && ms > MAX_TIMER_MS) {
    throw rangeError(option, `at most ${MAX_TIMER_MS} ms (the longest timer)${allowInfinity ? ' or Infinity' : ''}`, ms);
  }
  return ms;
}

/** Copy into a null-prototype object, rejecting names this function does not know. */
export function copyOptions(value: unknown, known: ReadonlySet<string>, what: string): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  if (value === undefined || value === null) return copy;
  if (typeof value !== 'object' || Array.isArray(value)) throw typeError('options', 'an object', value);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      const article = /^[aeiou]/i.test(what) ? 'an' : 'a';
      throw new TypeError(`options.${key} is not ${article} ${what} option; valid options: ${[...known].join(', ')}`);
    }
    copy[key] = (value as Record<string, unknown>)[key];
  }
  return copy;
}

/** spawn(file, options) is accepted as spawn(file, [], options), as node:child_process does. */
export function splitArguments(args: unknown, options: unknown): [unknown, unknown] {
  if (options === undefined && args !== null && typeof args === 'object' && !Array.isArray(args)) {
    return [undefined, args];
  }
  return [args, options];
}
