// Property tests over `procctl exec` argv (fast-check, fixed seed, bounded runs).
//  - Invalid command lines: exit 125, exactly one stderr line starting `procctl:`, no stack trace,
//    and the command never runs.
//  - Valid command lines: the command runs and reports its own /proc view, which must match the
//    options (SigIgn/SigBlk, pgid/sid, fds, cwd, env).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as spawnNode } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { maskOf, readStat } from '../helpers/proc.js';
import { distRoot, underSanitizer } from '../helpers/reliability.js';

const SEED = 0xc11;
const CLI = join(distRoot, 'lib', 'cli', 'main.cjs');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI with two extra inherited pipes (fds 3 and 4) so fd closing is observable. */
function runCli(argv: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawnNode(process.execPath, [CLI, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * The command reports itself: status, stat, fd list, cwd and one env variable, in sections.
 * status and stat are read with shell builtins before anything forks: a shell blocks every
 * signal around fork(), so a status read by a forked `cat` may catch that transient mask.
 */
const REPORTER = [
  '/bin/sh',
  '-c',
  [
    'while IFS= read -r l; do echo "$l"; done < /proc/$$/status; echo @@',
    'read -r s < /proc/$$/stat; echo "$s"; echo @@',
    'ls /proc/$$/fd; echo @@',
    'pwd -P; echo @@',
    'printf %s "$PROCCTL_PROP"',
  ].join('; '),
];

interface Reported {
  pid: number;
  sigIgn: bigint;
  sigBlk: bigint;
  pgid: number;
  sid: number;
  fds: number[];
  cwd: string;
  env: string;
}

function parseReport(stdout: string): Reported {
  const [status = '', stat = '', fds = '', cwd = '', env = ''] = stdout.split('@@\n');
  const field = (name: string): string => /^(\w+):\s*(.*)$/m.exec(status.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[2] ?? '';
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid: Number(stat.split(' ')[0]),
    sigIgn: BigInt(`0x${field('SigIgn')}`),
    sigBlk: BigInt(`0x${field('SigBlk')}`),
    pgid: Number(rest[2]),
    sid: Number(rest[3]),
    fds: fds.split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b),
    cwd: cwd.trim(),
    env,
  };
}

const SIGNAL_SPELLINGS: Record<number, string[]> = {
  1: ['HUP', 'SIGHUP', 'hup', '1'],
  2: ['INT', 'sigint', '2'],
  10: ['USR1', 'SIGUSR1', '10'],
  12: ['usr2', '12'],
  14: ['ALRM', 'SIGALRM'],
  15: ['TERM', 'SIGTERM', 'term', '15'],
  21: ['TTIN', '21'],
  28: ['WINCH', 'sigwinch'],
  37: ['RTMIN+3', 'rtmin+3', '37'],
  62: ['RTMAX-2', 'SIGRTMAX-2'],
};
const SIGNAL_NUMBERS = Object.keys(SIGNAL_SPELLINGS).map(Number);

/** A signal list as the CLI takes it: one or more options, each SIG[,SIG], any spelling. */
function signalOptions(option: string, numbers: number[], spelling: number): string[] {
  if (numbers.length === 0) return [];
  const names = numbers.map((n, i) => {
    const choices = SIGNAL_SPELLINGS[n] as string[];
    return choices[(spelling + i) % choices.length] as string;
  });
  // Alternate between one comma list and repeated options.
  return spelling % 2 === 0 ? [option, names.join(',')] : names.flatMap((name) => [option, name]);
}

interface ValidLine {
  reset: boolean;
  ignore: number[];
  block: number[];
  grouping: 'none' | '--new-group' | '--new-session';
  keep: 'none' | 'fd3' | 'fd3,4' | 'all';
  cwdIndex: number;
  timeout: boolean;
  spelling: number;
  env: string;
}

const validLine: fc.Arbitrary<ValidLine> = fc.record({
  reset: fc.boolean(),
  ignore: fc.uniqueArray(fc.constantFrom(...SIGNAL_NUMBERS), { maxLength: 3 }),
  block: fc.uniqueArray(fc.constantFrom(...SIGNAL_NUMBERS), { maxLength: 3 }),
  grouping: fc.constantFrom<ValidLine['grouping']>('none', '--new-group', '--new-session'),
  keep: fc.constantFrom<ValidLine['keep']>('none', 'fd3', 'fd3,4', 'all'),
  cwdIndex: fc.integer({ min: 0, max: 2 }),
  timeout: fc.boolean(),
  spelling: fc.nat(7),
  env: fc.stringMatching(/^[a-z0-9 =_.-]{0,12}$/),
});

function buildValidArgv(line: ValidLine, cwd: string): string[] {
  const argv = ['exec'];
  if (line.reset) argv.push('--reset-signals');
  argv.push(...signalOptions('--ignore-signal', line.ignore, line.spelling));
  argv.push(...signalOptions('--block-signal', line.block, line.spelling + 1));
  if (line.grouping !== 'none') argv.push(line.grouping);
  if (line.keep === 'fd3') argv.push('--keep-fd', '3');
  if (line.keep === 'fd3,4') argv.push('--keep-fd', '3', '--keep-fd', '4');
  if (line.keep === 'all') argv.push('--keep-fds');
  argv.push('--cwd', cwd, '--env', `PROCCTL_PROP=${line.env}`);
  if (line.timeout) argv.push('--timeout', '30s', '--kill-after', '2s');
  return [...argv, '--', ...REPORTER];
}

/** One invalid piece (what makes the line invalid) plus valid filler around it. */
const invalidPiece: fc.Arbitrary<readonly string[]> = fc.oneof<fc.Arbitrary<readonly string[]>[]>(
  fc.constantFrom(['--ignore-signal', 'KILL'], ['--ignore-signal', 'STOP'], ['--block-signal', 'SIGKILL'], ['--block-signal', '19']),
  fc.constantFrom(['--ignore-signal', 'BOGUS'], ['--block-signal', '99'], ['--default-signal', 'RTMIN+31'], ['--ignore-signal', 'TERM,,INT'], ['--ignore-signal', '0']),
  fc.constantFrom(['--timeout', 'abc'], ['--timeout', '-1'], ['--timeout', '1x'], ['--timeout', '1.5.2s'], ['--timeout', '']),
  fc.constantFrom(['--signal', 'NOPE', '--timeout', '1'], ['--timeout', '1', '--kill-after', 'soon']),
  fc.constant(['--kill-after', '1']),
  fc.constant(['--new-group', '--new-session']),
  fc.constantFrom(['--keep-fd', '-1'], ['--keep-fd', 'x'], ['--keep-fd', '1e3']),
  fc.constantFrom(['--cwd', '/nonexistent/procctl-prop'], ['--cwd', '/etc/passwd']),
  fc.constantFrom(['--env', 'NOEQUALS'], ['--env', '=value']),
  fc.constantFrom(['--bogus-option'], ['-Z'], ['--timeout']),
);

const validFiller: fc.Arbitrary<string[]> = fc
  .subarray([['--reset-signals'], ['--ignore-signal', 'USR1'], ['--block-signal', 'HUP'], ['--env', 'A=b']])
  .map((parts) => parts.flat());

describe('property: procctl exec argv', { timeout: 180_000 }, () => {
  let scratch = '';
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'procctl-cli-prop-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('invalid command lines exit 125 with one procctl: line and never run the command', async () => {
    await fc.assert(
      fc.asyncProperty(invalidPiece, validFiller, fc.boolean(), async (piece, filler, pieceFirst) => {
        const options = pieceFirst ? [...piece, ...filler] : [...filler, ...piece];
        // A missing `--timeout` value must not swallow the command: keep `--` explicit.
        const argv = ['exec', ...options, '--', '/bin/sh', '-c', 'echo RAN'];
        const r = await runCli(argv, scratch);
        const lines = r.stderr.split('\n').filter(Boolean);
        assert.equal(r.code, 125, `exit status for ${JSON.stringify(argv)}: ${r.stderr}`);
        assert.equal(lines.length, 1, `one stderr line for ${JSON.stringify(argv)}: ${r.stderr}`);
        assert.match(lines[0] as string, /^procctl: /);
        assert.equal(r.stdout, '', 'the command must not run');
      }),
      { seed: SEED, numRuns: underSanitizer ? 12 : 60, includeErrorInReport: true },
    );
  });

  test('a missing command is a usage error, not a crash', async () => {
    for (const argv of [['exec'], ['exec', '--'], ['exec', '--reset-signals']]) {
      const r = await runCli(argv, scratch);
      assert.equal(r.code, 125, `${JSON.stringify(argv)}: ${r.stderr}`);
      assert.match(r.stderr, /^procctl: [^\n]*\n$/);
    }
  });

  test('valid command lines give the command exactly the state they describe', async () => {
    const cwds = [scratch, '/', realpathSync(tmpdir())];
    const ownPgid = readStat(process.pid).pgid;
    await fc.assert(
      fc.asyncProperty(validLine, async (line) => {
        const cwd = cwds[line.cwdIndex] as string;
        const argv = buildValidArgv(line, cwd);
        const r = await runCli(argv, scratch);
        assert.equal(r.code, 0, `${JSON.stringify(argv)} exited ${r.code ?? r.signal}: ${r.stderr}`);
        assert.equal(r.stderr, '');
        const seen = parseReport(r.stdout);
        assert.equal(seen.sigIgn.toString(16), maskOf(...line.ignore).toString(16), 'SigIgn');
        assert.equal(seen.sigBlk.toString(16), maskOf(...line.block).toString(16), 'SigBlk');
        if (line.grouping === '--new-session') assert.equal(seen.sid, seen.pid, 'session leader');
        if (line.grouping === '--new-group' || line.timeout) assert.equal(seen.pgid, seen.pid, 'group leader');
        if (line.grouping === 'none' && !line.timeout) assert.equal(seen.pgid, ownPgid, 'stays in the caller group');
        const kept = line.keep === 'fd3' ? [3] : line.keep === 'fd3,4' || line.keep === 'all' ? [3, 4] : [];
        // --keep-fds keeps whatever procctl inherited, which includes fds the test runner itself
        // inherited without CLOEXEC: only require the two pipes given here.
        if (line.keep === 'all') {
          for (const fd of [0, 1, 2, ...kept]) assert.ok(seen.fds.includes(fd), `fd ${fd} kept: ${seen.fds.join(',')}`);
        } else {
          assert.deepEqual(seen.fds, [0, 1, 2, ...kept], `fds for keep=${line.keep}`);
        }
        assert.equal(seen.cwd, realpathSync(cwd), 'cwd');
        assert.equal(seen.env, line.env, 'env');
      }),
      { seed: SEED, numRuns: underSanitizer ? 10 : 40, includeErrorInReport: true },
    );
  });
});
