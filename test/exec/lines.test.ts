// Output conveniences: child.lines() (stdout, stderr, both interleaved; CRLF; a last line without
// a newline; backpressure while lines wait), exec()'s lines, all and stripFinalNewline, and
// preferLocal (node_modules/.bin of cwd and its parents in front of PATH).
import { test, describe, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, spawn, ProcessError } from '../../lib/index.js';
import { waitUntil, withDeadline } from '../helpers/proc.js';
import { holdings, settleLeaks } from '../helpers/reliability.js';
import { Started } from '../helpers/spawn.js';

let started = new Started();
afterEach(() => {
  started.cleanup();
  started = new Started();
});

async function collectLines(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of iterable) out.push(line);
  return out;
}

describe('child.lines()', () => {
  test('stdout by default: CRLF as a newline, the last line without a newline included', { timeout: 10_000 }, async () => {
    const child = started.group(spawn('printf', ['one\\r\\ntwo\\n\\nthree'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.deepEqual(await withDeadline(collectLines(child.lines()), 5000, 'lines'), ['one', 'two', '', 'three']);
    await child.exited;
  });

  test("from: 'stderr' reads stderr only; from: 'all' interleaves both in arrival order", { timeout: 10_000 }, async () => {
    const script = 'echo o1; sleep 0.05; echo e1 >&2; sleep 0.05; echo o2; sleep 0.05; printf e2 >&2';
    const err = started.group(spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    err.stdout.resume();
    assert.deepEqual(await withDeadline(collectLines(err.lines({ from: 'stderr' })), 5000, 'stderr lines'), ['e1', 'e2']);
    const both = started.group(spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    assert.deepEqual(await withDeadline(collectLines(both.lines({ from: 'all' })), 5000, 'all lines'), ['o1', 'e1', 'o2', 'e2']);
    await Promise.all([err.exited, both.exited]);
  });

  test('a stream that is not a pipe is a TypeError naming it', { timeout: 5000 }, async () => {
    const child = started.group(spawn('true', [], { stdio: ['ignore', 'ignore', 'pipe'] }));
    assert.throws(() => child.lines(), { name: 'TypeError', message: /stdout is not a pipe/ });
    assert.throws(() => child.lines({ from: 'both' as never }), { name: 'TypeError', message: /'stdout', 'stderr' or 'all'/ });
    await child.exited;
  });

  test('unread lines hold the child back: it blocks in write() on a full pipe', { timeout: 15_000 }, async () => {
    const child = started.group(spawn('yes', ['line'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    const lines = child.lines();
    assert.deepEqual((await lines.next()).value, 'line');
    // Nothing more is read: the iterator pauses the pipe, which fills, and `yes` sleeps in write(1).
    await waitUntil(() => readFileSync(`/proc/${child.pid}/syscall`, 'utf8').startsWith('1 '), 5000, 'yes blocked in write');
    assert.ok(child.stdout.readableLength <= 1024 * 1024, `buffered ${child.stdout.readableLength} bytes`);
    // Leaving the loop early drops the rest: the child is not left blocked.
    await lines.return(undefined);
    child.kill('SIGTERM');
    assert.equal((await child.exited).signal, 'SIGTERM');
  });
});

describe('exec() output options', () => {
  test('lines: true gives arrays for stdout, stderr and all', { timeout: 10_000 }, async () => {
    const before = holdings();
    const r = await exec('sh', ['-c', 'printf "a\\r\\nb\\n"; echo err >&2; sleep 0.05; printf "c"'], { lines: true, all: true });
    assert.deepEqual(r.stdout, ['a', 'b', 'c']);
    assert.deepEqual(r.stderr, ['err']);
    assert.deepEqual(r.all, ['a', 'b', 'err', 'c']);
    assert.deepEqual((await exec('true', [], { lines: true })).stdout, []);
    assert.deepEqual(await settleLeaks(before), [], 'no fd, child or zombie left');
  });

  test('all: true interleaves stdout and stderr in arrival order; absent by default', { timeout: 10_000 }, async () => {
    const r = await exec('sh', ['-c', 'echo 1; sleep 0.05; echo 2 >&2; sleep 0.05; echo 3'], { all: true });
    assert.equal(r.all, '1\n2\n3\n');
    assert.equal(r.stdout, '1\n3\n');
    assert.equal(r.stderr, '2\n');
    assert.equal('all' in (await exec('true')), false);
    const failed = await exec('sh', ['-c', 'echo out; echo err >&2; exit 2'], { all: true }).catch((e: unknown) => e);
    assert.ok(failed instanceof ProcessError);
    assert.equal(failed.all, 'out\nerr\n');
  });

  test('stripFinalNewline removes one final newline (LF or CRLF); default keeps it', { timeout: 10_000 }, async () => {
    assert.equal((await exec('printf', ['x\\n\\n'])).stdout, 'x\n\n');
    assert.equal((await exec('printf', ['x\\n\\n'], { stripFinalNewline: true })).stdout, 'x\n');
    assert.equal((await exec('printf', ['y\\r\\n'], { stripFinalNewline: true })).stdout, 'y');
    const buffer = await exec('printf', ['z\\n'], { stripFinalNewline: true, encoding: 'buffer' });
    assert.deepEqual([...buffer.stdout], [0x7a]);
  });

  test('bad values are TypeErrors naming the option, before anything starts', { timeout: 5000 }, async () => {
    await assert.rejects(exec('true', [], { lines: 'yes' as never }), { name: 'TypeError', message: /^lines must be true or false/ });
    await assert.rejects(exec('true', [], { lines: true, encoding: 'buffer' } as never), { name: 'TypeError', message: /lines: true needs a text encoding/ });
    await assert.rejects(exec('true', [], { all: 1 as never }), { name: 'TypeError', message: /^all must be/ });
    await assert.rejects(exec('true', [], { nope: 1 } as never), { name: 'TypeError', message: /^options\.nope is not an exec\(\) option/ });
    assert.throws(() => spawn('true', [], { nope: 1 } as never), { name: 'TypeError', message: /^options\.nope is not a spawn\(\) option/ });
  });
});

describe('preferLocal', () => {
  test('node_modules/.bin of cwd and its parents come first, for the search and in the child PATH', { timeout: 10_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'procctl-local-'));
    try {
      const sub = join(root, 'pkg', 'sub');
      for (const dir of [join(root, 'node_modules', '.bin'), join(sub, 'node_modules', '.bin')]) mkdirSync(dir, { recursive: true });
      const tool = join(root, 'node_modules', '.bin', 'procctl-local-tool');
      writeFileSync(tool, '#!/bin/sh\necho "local tool; PATH=$PATH"\n');
      chmodSync(tool, 0o755);
      const r = await exec('procctl-local-tool', [], { cwd: sub, preferLocal: true, env: { PATH: '/usr/bin:/bin' } });
      const path = /PATH=(.*)/.exec(r.stdout)?.[1]?.split(':');
      assert.deepEqual(path?.slice(0, 3), [join(sub, 'node_modules', '.bin'), join(root, 'pkg', 'node_modules', '.bin'), join(root, 'node_modules', '.bin')]);
      assert.deepEqual(path?.slice(-2), ['/usr/bin', '/bin']);
      // Without it, the tool is not found.
      const missing = await exec('procctl-local-tool', [], { cwd: sub }).catch((e: unknown) => e);
      assert.ok(missing instanceof ProcessError && /ENOENT/.test(missing.message), String(missing));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('without env, the child sees this process environment with the local PATH in front', { timeout: 10_000 }, async () => {
    const r = await exec('sh', ['-c', 'echo "$PATH"; echo "$HOME"'], { preferLocal: true, lines: true });
    assert.equal(r.stdout[0]?.split(':')[0], join(process.cwd(), 'node_modules', '.bin'));
    assert.ok(r.stdout[0]?.endsWith(`:${process.env.PATH}`));
    assert.equal(r.stdout[1], process.env.HOME);
  });
});
