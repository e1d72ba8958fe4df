// procctl --help, help <command>, --version, and the top-level usage errors.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isOneErrorLine, runCli, CLI } from '../helpers/cli.js';

// A bound against a hang: eleven CLI starts in a row take over 20 s under AddressSanitizer on a busy machine.
const T = { timeout: 60_000 };
const manifest = JSON.parse(readFileSync(join(dirname(CLI), '..', '..', '..', 'package.json'), 'utf8')) as { version: string };

describe('procctl help and version', () => {
  test('--help and -h list every command', T, async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0);
      for (const command of ['exec', 'inspect', 'tree', 'init', 'run', 'help']) assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
      assert.equal(r.stderr, '');
    }
  });

  test('help <command> and <command> --help print that command\'s help', T, async () => {
    for (const command of ['exec', 'inspect', 'tree', 'init', 'run']) {
      const a = await runCli(['help', command]);
      const b = await runCli([command, '--help']);
      assert.equal(a.code, 0);
      assert.equal(b.code, 0);
      assert.equal(a.stdout, b.stdout);
      assert.match(a.stdout, new RegExp(`^Usage: procctl ${command}`));
    }
    const exec = await runCli(['help', 'exec']);
    for (const option of ['--reset-signals', '--default-signal', '--ignore-signal', '--block-signal', '--new-group', '--new-session', '--keep-fd', '--keep-fds', '--cwd', '--env', '--timeout', '--signal', '--kill-after', '--cleanup', '-s, --signal', '-k, --kill-after', '--preserve-status', '--foreground', '-v, --verbose']) {
      assert.ok(exec.stdout.includes(option), option);
    }
  });

  test('--version prints the package version', T, async () => {
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${manifest.version}\n`);
    }
  });

  test('a mistyped command or option suggests the closest one; a far-off one suggests nothing', T, async () => {
    const cases: Array<[string[], RegExp]> = [
      [['exce'], /^procctl: unknown command 'exce'; did you mean 'exec'\? See 'procctl --help'\n$/],
      [['help', 'tre'], /did you mean 'tree'\?/],
      [['exec', '--timout', '5', 'true'], /^procctl: unknown option '--timout'; did you mean '--timeout'\?\n$/],
      [['run', '--stop-timout', '1s'], /did you mean '--stop-timeout'\?/],
      [['frobnicate'], /^procctl: unknown command 'frobnicate'; see 'procctl --help'\n$/],
    ];
    for (const [args, expected] of cases) {
      const r = await runCli(args);
      assert.equal(r.code === 2 || r.code === 125, true, `${args.join(' ')}: status ${r.code}`);
      assert.match(r.stderr, expected, args.join(' '));
    }
  });

  test('no command, an unknown command, help for an unknown command: exit 2, one line', T, async () => {
    for (const args of [[], ['frobnicate'], ['help', 'frobnicate'], ['--bogus'], ['help', 'exec', 'tree']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(isOneErrorLine(r.stderr), `${args.join(' ')}: ${JSON.stringify(r.stderr)}`);
      assert.equal(r.stdout, '');
    }
  });
});
