// procctl exec: every exit status path, run through the real bin. Statuses: the command's own,
// 124 timed out, 125 procctl failed (one `procctl:` line, command not run), 126 not executable,
// 127 not found, 128+N killed by signal N (as the parent), or the signal itself (in place).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isOneErrorLine, runCli, tempDir } from '../helpers/cli.js';

const T = { timeout: 20_000 };

describe('procctl exec exit status', () => {
  test('the command\'s own exit code, in place (same PID)', T, async () => {
    const r = await runCli(['exec', 'sh', '-c', 'echo $$; exit 7']);
    assert.equal(r.code, 7);
    assert.equal(r.stdout.trim(), String(r.pid), 'the command runs as procctl\'s own PID');
    assert.equal(r.stderr, '');
  });

  test('true exits 0', T, async () => {
    const r = await runCli(['exec', '--', 'true']);
    assert.equal(r.code, 0);
  });

  test('in place, a command killed by a signal is seen as that signal by the caller', T, async () => {
    const r = await runCli(['exec', 'sh', '-c', 'kill -USR1 $$']);
    assert.equal(r.signal, 'SIGUSR1');
  });

  test('as the parent (--timeout), a command killed by signal N gives 128+N', T, async () => {
    const r = await runCli(['exec', '--timeout', '10', 'sh', '-c', 'kill -USR1 $$']);
    assert.equal(r.code, 128 + 10);
  });

  test('as the parent, the command\'s exit code passes through', T, async () => {
    const r = await runCli(['exec', '--timeout', '10s', 'sh', '-c', 'exit 42']);
    assert.equal(r.code, 42);
  });

  test('127 when the command is not found', T, async () => {
    const r = await runCli(['exec', 'procctl-no-such-command-xyz']);
    assert.equal(r.code, 127);
    assert.ok(isOneErrorLine(r.stderr), r.stderr);
    assert.match(r.stderr, /not found/);
  });

  test('127 for a missing path, also under --timeout', T, async () => {
    const a = await runCli(['exec', './no/such/file']);
    const b = await runCli(['exec', '--timeout', '5', '/no/such/file']);
    assert.equal(a.code, 127);
    assert.equal(b.code, 127);
    assert.ok(isOneErrorLine(a.stderr) && isOneErrorLine(b.stderr), a.stderr + b.stderr);
  });

  test('126 when the file is found but not executable (file without x bit, directory)', T, async () => {
    const dir = tempDir();
    try {
      const script = join(dir.path, 'script.sh');
      writeFileSync(script, '#!/bin/sh\nexit 0\n');
      chmodSync(script, 0o644);
      mkdirSync(join(dir.path, 'adir'));
      for (const target of [script, join(dir.path, 'adir')]) {
        const r = await runCli(['exec', target]);
        assert.equal(r.code, 126, `${target}: ${r.stderr}`);
        assert.ok(isOneErrorLine(r.stderr), r.stderr);
      }
      // Through PATH too: found in PATH but not executable.
      const viaPath = await runCli(['exec', '--env', `PATH=${dir.path}`, 'script.sh']);
      assert.equal(viaPath.code, 126, viaPath.stderr);
    } finally {
      dir.remove();
    }
  });

  test('124 when the deadline passed and the command died of --signal', T, async () => {
    const start = Date.now();
    const r = await runCli(['exec', '--timeout', '300ms', 'sleep', '30']);
    assert.equal(r.code, 124);
    assert.ok(Date.now() - start < 5000);
  });

  test('124 when the command catches --signal and exits by itself after the deadline', T, async () => {
    const r = await runCli(['exec', '--timeout', '0.3', 'sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.05; done']);
    assert.equal(r.code, 124);
  });

  test('137 when --signal is KILL', T, async () => {
    const r = await runCli(['exec', '--timeout', '200ms', '--signal', 'KILL', 'sleep', '30']);
    assert.equal(r.code, 137);
  });

  test('137 when --kill-after had to fire', T, async () => {
    const r = await runCli(['exec', '--timeout', '200ms', '--kill-after', '200ms', 'sh', '-c', 'trap "" TERM; while :; do sleep 0.05; done']);
    assert.equal(r.code, 137);
  });

  test('--timeout 0 means no timeout: procctl replaces itself (same PID)', T, async () => {
    const r = await runCli(['exec', '--timeout', '0', 'sh', '-c', 'echo $$']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), String(r.pid));
  });
});

describe('procctl exec usage errors: 125, one line, the command never runs', () => {
  const cases: Array<[string, string[]]> = [
    ['unknown option', ['--bogus']],
    ['bad duration', ['--timeout', '1x']],
    ['negative duration', ['--timeout', '-1']],
    ['bad kill-after', ['--timeout', '1', '--kill-after', 'soon']],
    ['bad signal', ['--timeout', '1', '--signal', 'NOPE']],
    ['bad signal number', ['--ignore-signal', '99']],
    ['ignore KILL', ['--ignore-signal', 'KILL']],
    ['ignore STOP', ['--ignore-signal', 'sigstop']],
    ['block KILL', ['--block-signal', 'INT,9']],
    ['block STOP', ['--block-signal', 'STOP']],
    ['empty signal in a list', ['--block-signal', 'INT,,TERM']],
    ['--kill-after without --timeout', ['--kill-after', '1']],
    ['--cleanup without --timeout', ['--cleanup']],
    ['-k without --timeout', ['-k', '1']],
    ['bad -s signal', ['--timeout', '1', '-s', 'NOPE']],
    ['--preserve-status without --timeout', ['--preserve-status']],
    ['--foreground without --timeout', ['--foreground']],
    ['--verbose without --timeout', ['-v']],
    ['--foreground with --new-group', ['--timeout', '1', '--foreground', '--new-group']],
    ['--foreground with --new-session', ['--timeout', '1', '--foreground', '--new-session']],
    ['--foreground with --cleanup', ['--timeout', '1', '--foreground', '--cleanup']],
    ['--new-group with --new-session', ['--new-group', '--new-session']],
    ['--cwd to a missing directory', ['--cwd', '/no/such/dir']],
    ['--keep-fd not a number', ['--keep-fd', 'three']],
    ['--keep-fd not open', ['--keep-fd', '987']],
    ['--env without =', ['--env', 'NOEQUALS']],
    ['--env with an empty name', ['--env', '=x']],
    ['option missing its value', ['--timeout']],
    ['boolean option given a value', ['--reset-signals=yes']],
    ['default and ignore the same signal', ['--default-signal', 'INT', '--ignore-signal', 'SIGINT']],
  ];
  for (const [name, options] of cases) {
    test(name, T, async () => {
      const dir = tempDir();
      try {
        const marker = join(dir.path, 'ran');
        const r = await runCli(['exec', ...options, 'touch', marker]);
        assert.equal(r.code, 125, `${name}: ${r.stderr}`);
        assert.ok(isOneErrorLine(r.stderr), `one procctl: line, got ${JSON.stringify(r.stderr)}`);
        assert.equal(r.stdout, '');
        assert.equal(existsSync(marker), false, 'the command must not run');
      } finally {
        dir.remove();
      }
    });
  }

  test('missing command', T, async () => {
    for (const args of [['exec'], ['exec', '--'], ['exec', '--reset-signals']]) {
      const r = await runCli(args);
      assert.equal(r.code, 125);
      assert.ok(isOneErrorLine(r.stderr), r.stderr);
    }
  });

  test('options after COMMAND belong to the command', T, async () => {
    const r = await runCli(['exec', 'sh', '-c', 'echo "$@"', 'x', '--bogus', '--timeout']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '--bogus --timeout\n');
  });

  test('exec --help prints the exec help and exits 0', T, async () => {
    const r = await runCli(['exec', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /procctl exec \[options\]/);
  });
});
