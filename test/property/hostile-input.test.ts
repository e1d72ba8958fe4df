// Property tests over hostile shapes (fast-check, fixed seed, bounded runs):
//  - sparse arrays (args, groups, signal lists): a TypeError naming the first hole, nothing created;
//  - fd numbers that are not fds (fractions, NaN, ±Infinity, past 2^31-1), as numbers and as a
//    stream's fd: a TypeError/RangeError naming the stdio entry;
//  - millisecond values past the longest timer, in every option that ends in one setTimeout: a
//    RangeError naming the option (they used to fire after 1 ms);
//  - input streams that fail (on open or mid-way, after any number of bytes): exec rejects with
//    the stream's error as cause, the output is a prefix of the input, and nothing is left;
//  - hostile argv bytes: inspect and tree human output hold no control character and forge no
//    line, while the JSON keeps the exact argv.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { exec, spawn, ProcessError, Supervisor } from '../../lib/index.js';
import { validateStdio } from '../../lib/spawn/stdio.js';
import { collectInspection } from '../../lib/proc/inspect.js';
import { processTree, readProcessTable } from '../../lib/proc/tree.js';
import { renderInspection } from '../../lib/cli/inspect.js';
import { renderTree } from '../../lib/cli/tree.js';
import { palette, printable } from '../../lib/cli/output.js';
import { parseDuration, UsageError } from '../../lib/cli/args.js';
import { killGroupQuietly, waitUntil, withDeadline } from '../helpers/proc.js';
import { holdings, leaksBetween, settleLeaks, underSanitizer, warmUp } from '../helpers/reliability.js';

const SEED = 0x4057;
/** Runs of the properties that start processes: fewer under the sanitizers (slower starts). */
const PROCESS_RUNS = underSanitizer ? 8 : 25;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The thrown error of a call, or undefined. */
function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}

function assertNamed(error: unknown, name: string, kinds: Array<typeof TypeError | typeof RangeError> = [TypeError, RangeError]): void {
  assert.ok(kinds.some((k) => error instanceof k), `expected ${kinds.map((k) => k.name).join('/')} naming ${name}, got ${String(error)}`);
  assert.ok((error as Error).message.includes(name), `message names ${name}: ${(error as Error).message}`);
}

/** A sparse array with at least one hole, and the index of its first hole. */
function withHole<T>(items: fc.Arbitrary<T>): fc.Arbitrary<{ array: T[]; hole: number }> {
  return fc
    .sparseArray(items, { maxLength: 6, noTrailingHole: false })
    .map((array) => {
      let hole = -1;
      for (let i = 0; i < array.length; i++) if (!(i in array)) {
        hole = i;
        break;
      }
      return { array, hole };
    })
    .filter(({ hole }) => hole >= 0);
}

/** Numbers that are not fds: fractions, NaN, ±Infinity, integers past 2^31-1 (up to 2^53). */
const notAnFd: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: false }).filter((x) => !Number.isInteger(x) || x > 0x7fffffff),
  fc.constantFrom(NaN, Infinity, -Infinity, 1.5, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
);

/** Millisecond values past the longest timer (finite or not). */
const hugeMs: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: MAX_TIMER_MS + 1, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ min: MAX_TIMER_MS + 0.5, noNaN: true }),
  fc.constantFrom(2 ** 31, 2 ** 32, 1e300, Infinity),
);

/** Characters a hostile process name would use: C0/C1 controls, separators, bidi, and text. */
const hostileChar: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0x01, max: 0x1f }),
  fc.constantFrom(0x7f, 0x85, 0x9b, 0x1b, 0x0a, 0x0d, 0x2028, 0x2029, 0x202e, 0x2066, 0x061c, 0x200f),
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0xa0, max: 0xd7ff }),
  fc.integer({ min: 0x10000, max: 0x1f6ff }),
);
const hostileArg: fc.Arbitrary<string> = fc.array(hostileChar, { minLength: 1, maxLength: 40 }).map((codes) => String.fromCodePoint(...codes));

/** Terminal controls left in human output: anything of C0 but the newline, DEL, C1, bidi, separators. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('property: hostile input', { timeout: 180_000 }, () => {
  before(warmUp);

  test('sparse arrays: a TypeError naming the first hole, nothing created', () => {
    const baseline = holdings();
    const cases = fc.oneof(
      withHole(fc.string({ maxLength: 8 }).filter((s) => !s.includes('\0'))).map(({ array, hole }) => ({
        name: `args[${hole}]`,
        call: () => spawn('/bin/true', array as string[], { stdio: 'ignore' }),
      })),
      withHole(fc.integer({ min: 0, max: 4294967294 })).map(({ array }) => ({
        name: 'groups',
        call: () => spawn('/bin/true', [], { groups: array, stdio: 'ignore' }),
      })),
      withHole(fc.constantFrom('TERM', 'INT', 10, 'RTMIN+2')).map(({ array }) => ({
        name: 'ignoreSignals',
        call: () => spawn('/bin/true', [], { ignoreSignals: array as never, stdio: 'ignore' }),
      })),
    );
    fc.assert(
      fc.property(cases, ({ name, call }) => {
        assertNamed(thrownBy(call), name);
        assert.deepEqual(leaksBetween(baseline, holdings()), []);
      }),
      { seed: SEED, numRuns: 100, includeErrorInReport: true },
    );
    // Holes in stdio are unset entries: valid, and defaulted like undefined.
    fc.assert(
      fc.property(fc.sparseArray(fc.constantFrom('pipe', 'ignore'), { maxLength: 8 }), (stdio) => {
        const plan = validateStdio(stdio);
        assert.equal(plan.length, Math.max(3, stdio.length));
        plan.forEach((entry, i) => {
          if (!(i in stdio)) assert.equal(entry.kind, i < 3 ? 'pipe' : 'ignore');
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  test('fd numbers that are not fds: an error naming the stdio entry, nothing created', () => {
    const baseline = holdings();
    const cases = fc.record({ fd: notAnFd, index: fc.integer({ min: 0, max: 5 }), asStream: fc.boolean() });
    fc.assert(
      fc.property(cases, ({ fd, index, asStream }) => {
        const stdio: unknown[] = ['ignore', 'ignore', 'ignore'];
        stdio[index] = asStream ? { fd } : fd;
        assertNamed(thrownBy(() => spawn('/bin/true', [], { stdio: stdio as never })), `stdio[${index}]`);
        assert.deepEqual(leaksBetween(baseline, holdings()), []);
      }),
      { seed: SEED, numRuns: 100, includeErrorInReport: true },
    );
  });

  test('milliseconds past the longest timer: a RangeError naming the option, in every timer option', () => {
    const baseline = holdings();
    const child = (extra: Record<string, unknown>) => ({ children: [{ name: 'c', file: '/bin/true', ...extra }] });
    const options = fc.constantFrom(
      { name: 'timeout', finiteOnly: false, call: (ms: number) => spawn('/bin/true', [], { timeout: ms, stdio: 'ignore' }) },
      { name: 'killAfter', finiteOnly: true, call: (ms: number) => spawn('/bin/true', [], { killAfter: ms, stdio: 'ignore' }) },
      { name: 'stopTimeout', finiteOnly: false, call: (ms: number) => new Supervisor(child({ stopTimeout: ms })) },
      { name: 'backoff.initialMs', finiteOnly: false, call: (ms: number) => new Supervisor(child({ backoff: { initialMs: ms } })) },
      { name: 'backoff.maxMs', finiteOnly: false, call: (ms: number) => new Supervisor(child({ backoff: { maxMs: ms } })) },
    );
    fc.assert(
      fc.property(options, hugeMs, (option, ms) => {
        fc.pre(!(option.finiteOnly && ms === Infinity));
        assertNamed(thrownBy(() => option.call(ms)), option.name, [RangeError, TypeError]);
        assert.deepEqual(leaksBetween(baseline, holdings()), []);
      }),
      { seed: SEED, numRuns: 100, includeErrorInReport: true },
    );
  });

  test('exec drainTimeout past the longest timer rejects with a RangeError', async () => {
    await fc.assert(
      fc.asyncProperty(hugeMs, async (ms) => {
        await assert.rejects(exec('/bin/true', [], { drainTimeout: ms }), (e: Error) => e instanceof RangeError && e.message.includes('drainTimeout'));
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  test('CLI durations: at most the cap, rounded up, never 0 for a positive value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom('ms', 's', 'm', 'h', 'd'), (n, unit) => {
        const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
        const ms = n * factor;
        const result = thrownBy(() => parseDuration(`${n}${unit}`, '--stop-timeout', MAX_TIMER_MS));
        if (ms > MAX_TIMER_MS) assert.ok(result instanceof UsageError && result.message.includes('--stop-timeout'), String(result));
        else assert.equal(parseDuration(`${n}${unit}`, '--stop-timeout', MAX_TIMER_MS), ms);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  test('failing input streams: rejects with the stream error as cause, output a prefix, nothing left', async () => {
    const baseline = holdings();
    const failure = fc.record({
      at: fc.constantFrom<'open' | 'mid'>('open', 'mid'),
      bytes: fc.uint8Array({ maxLength: 200_000 }),
      delayMs: fc.integer({ min: 0, max: 30 }),
    });
    await fc.assert(
      fc.asyncProperty(failure, async ({ at, bytes, delayMs }) => {
        const boom = new Error('input failed on purpose');
        let input: Readable;
        if (at === 'open') {
          input = createReadStream('/nonexistent/procctl-property-input');
        } else {
          input = new Readable({ read() {} });
          input.push(Buffer.from(bytes));
          setTimeout(() => input.destroy(boom), delayMs);
        }
        const error = await withDeadline(
          exec('cat', [], { input, encoding: 'buffer', reject: false }).then(
            () => undefined,
            (e: unknown) => e,
          ),
          15_000,
          'exec with a failing input',
        );
        assert.ok(ProcessError.is(error), `rejects with a ProcessError, got ${String(error)}`);
        assert.equal(error.inputFailed, true);
        if (at === 'open') assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
        else assert.equal(error.cause, boom);
        const out = error.stdout as Buffer;
        assert.ok(out.equals(Buffer.from(bytes).subarray(0, out.length)), 'the output is a prefix of the input');
        assert.deepEqual(await settleLeaks(baseline), [], 'no fd, child or zombie left');
      }),
      { seed: SEED, numRuns: PROCESS_RUNS, includeErrorInReport: true },
    );
  });

  test('hostile argv: human output has no control character and no forged line; JSON is exact', async () => {
    const colors = palette(false);
    await fc.assert(
      fc.asyncProperty(fc.array(hostileArg, { minLength: 1, maxLength: 3 }), async (hostile) => {
        // sh keeps its argv (the script does not end in an exec), so /proc/PID/cmdline is ours.
        const argv = ['sh', '-c', 'sleep 30; :', ...hostile];
        const child = spawn('sh', argv.slice(1), { stdio: 'ignore' });
        try {
          await waitUntil(() => collectInspection(child.pid).info.cmdline.length === argv.length, 5000, 'sh is running');
          const inspection = collectInspection(child.pid);
          assert.deepEqual(JSON.parse(JSON.stringify(inspection.info)).cmdline, argv, 'JSON keeps the exact argv');
          const text = renderInspection(inspection, colors);
          assert.ok(!CONTROL.test(text), `inspect output holds a control character: ${JSON.stringify(text.slice(0, 200))}`);
          assert.equal(text.split('\n')[0], `${child.pid}  ${printable(argv.join(' '))}`, 'the command is one line');

          const table = readProcessTable();
          const root = processTree(child.pid, table);
          let nodes = 0;
          for (const pending = [root]; pending.length > 0; nodes++) pending.push(...pending.pop()!.children);
          const tree = renderTree(root, colors);
          assert.ok(!CONTROL.test(tree), `tree output holds a control character: ${JSON.stringify(tree.slice(0, 200))}`);
          assert.equal(tree.trimEnd().split('\n').length, 1 + nodes, 'one line per process, none forged');
          assert.equal(JSON.parse(JSON.stringify(root)).cmd, argv.join(' '));
        } finally {
          killGroupQuietly(child.pgid);
          await withDeadline(child.exited, 5000, 'sh exit');
        }
      }),
      { seed: SEED, numRuns: PROCESS_RUNS, includeErrorInReport: true },
    );
  });
});
