// The environment a child gets is exactly what was asked for: with `env`, nothing of the parent's
// environment reaches the child (read back from /proc/PID/environ of the running program); without
// it, a copy of process.env at spawn time. Strings that the kernel would cut (NUL) are refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from '../../lib/index.js';
import { holdings, readEnviron, settleLeaks, waitUntilSleeping } from '../helpers/reliability.js';

const SECRET = 'PROCCTL_TEST_SECRET';

async function environOf(env: Record<string, string> | undefined): Promise<string[]> {
  const child = spawn('/bin/sleep', ['30'], env === undefined ? { stdio: 'ignore' } : { stdio: 'ignore', env });
  try {
    await waitUntilSleeping(child.pid);
    return readEnviron(child.pid);
  } finally {
    child.kill('SIGKILL');
    await child.exited;
  }
}

describe('security: environment', { timeout: 30_000 }, () => {
  test('with env, the child sees exactly that environment and nothing of the parent', async () => {
    process.env[SECRET] = 'hunter2';
    try {
      const given = { PATH: '/usr/bin:/bin', ONLY: 'this', EMPTY: '', 'WITH SPACE': 'a=b=c' };
      const environ = await environOf(given);
      assert.deepEqual(environ.sort(), Object.entries(given).map(([k, v]) => `${k}=${v}`).sort());
      assert.ok(!environ.some((e) => e.includes('hunter2')), 'the secret leaked');
    } finally {
      delete process.env[SECRET];
    }
  });

  test('an empty env gives an empty environment', async () => {
    assert.deepEqual(await environOf({}), []);
  });

  test('without env, the child gets process.env as it is at spawn time', async () => {
    process.env[SECRET] = 'now';
    process.env.PROCCTL_TEST_GONE = 'x';
    delete process.env.PROCCTL_TEST_GONE;
    try {
      const environ = await environOf(undefined);
      assert.ok(environ.includes(`${SECRET}=now`));
      assert.ok(!environ.some((e) => e.startsWith('PROCCTL_TEST_GONE=')), 'a deleted variable reached the child');
      assert.equal(environ.length, Object.keys(process.env).length);
    } finally {
      delete process.env[SECRET];
    }
  });

  test('entries the kernel would cut or split are refused before anything is created', () => {
    const baseline = holdings();
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ 'A=B': 'x' }, /env/],
      [{ '': 'x' }, /env/],
      [{ A: 'x\0y' }, /env\.A/],
      [{ 'A\0B': 'x' }, /env/],
    ];
    for (const [env, name] of bad) {
      assert.throws(() => spawn('/bin/true', [], { stdio: 'ignore', env }), (e: Error) => e instanceof TypeError && name.test(e.message));
    }
    assert.throws(() => spawn('/bin/true', ['a\0b'], { stdio: 'ignore' }), /args\[0\]/);
    assert.throws(() => spawn('/bin/tr\0ue', [], { stdio: 'ignore' }), /file/);
    assert.throws(() => spawn('/bin/true', [], { stdio: 'ignore', argv0: 'x\0' }), /argv0/);
    return settleLeaks(baseline).then((leaks) => assert.deepEqual(leaks, []));
  });
});
