// The value syntaxes of the CLI: DURATION, SIG, signal lists, fds, PIDs, NAME=VALUE, and option
// parsing (parseArgs's syntax) that stops at the command.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import {
  UsageError, parseCommandLine, parseDuration, parseEnvAssignment, parseFdArg, parsePidArg, parseSignalArg, parseSignalListArgs,
} from '../../lib/cli/args.js';

describe('DURATION', () => {
  test('numbers and units', () => {
    const cases: Array<[string, number]> = [
      ['10', 10_000], ['1.5s', 1500], ['250ms', 250], ['2m', 120_000], ['1h', 3_600_000], ['1d', 86_400_000],
      ['0', 0], ['0.5', 500], ['.5s', 500], ['1.', 1000], ['0.0001', 1],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text, '--timeout'), ms, text);
  });
  test('rejects the rest with a UsageError naming the option and the value', () => {
    for (const text of ['', '-1', '1x', 's', '1 s', '1e3', 'Infinity', 'NaN', '1.2.3', '1S', ' 1']) {
      assert.throws(() => parseDuration(text, '--timeout'), (e: Error) => e instanceof UsageError && e.message.includes('--timeout') && e.message.includes(`'${text}'`), text);
    }
  });
});

describe('SIG', () => {
  test('names with or without SIG, any case, numbers, RTMIN+n / RTMAX-n', () => {
    const cases: Array<[string, number]> = [['TERM', 15], ['SIGTERM', 15], ['term', 15], ['15', 15], ['RTMIN', 34], ['RTMIN+3', 37], ['sigrtmax-1', 63], ['64', 64]];
    for (const [text, n] of cases) assert.equal(parseSignalArg(text, '--signal'), n, text);
  });
  test('unknown signals are UsageErrors', () => {
    for (const text of ['NOPE', '0', '65', 'RTMIN-1', 'RTMAX+1', '', '-9']) {
      assert.throws(() => parseSignalArg(text, '--signal'), UsageError, text);
    }
  });
  test('lists: comma separated, repeatable, de-duplicated, sorted', () => {
    assert.deepEqual(parseSignalListArgs(['TERM,int', '2', 'HUP'], '--ignore-signal'), [1, 2, 15]);
    assert.throws(() => parseSignalListArgs(['INT,'], '--ignore-signal'), UsageError);
  });
});

describe('other values', () => {
  test('fds, PIDs, NAME=VALUE', () => {
    assert.equal(parseFdArg('3', '--keep-fd'), 3);
    assert.throws(() => parseFdArg('-1', '--keep-fd'), UsageError);
    assert.throws(() => parseFdArg('3.5', '--keep-fd'), UsageError);
    assert.equal(parsePidArg('42'), 42);
    for (const bad of ['0', 'x', '1e3', '-1', '99999999']) assert.throws(() => parsePidArg(bad), UsageError, bad);
    assert.deepEqual(parseEnvAssignment('A=b=c', '--env'), ['A', 'b=c']);
    assert.deepEqual(parseEnvAssignment('A=', '--env'), ['A', '']);
    assert.throws(() => parseEnvAssignment('=b', '--env'), UsageError);
  });
});

describe('parseCommandLine', () => {
  const options = { cwd: { type: 'string' as const }, flag: { type: 'boolean' as const }, help: { type: 'boolean' as const, short: 'h' } };
  test('stops at the first positional: the command keeps its own options', () => {
    const r = parseCommandLine(['--cwd', '/tmp', '--flag', 'sh', '-c', '--flag'], options, { command: true });
    assert.deepEqual({ ...r.values }, { cwd: '/tmp', flag: true });
    assert.deepEqual(r.command, ['sh', '-c', '--flag']);
  });
  test('-- ends the options; a value that looks like a command is taken as the value', () => {
    assert.deepEqual(parseCommandLine(['--flag', '--', '--cwd'], options, { command: true }).command, ['--cwd']);
    assert.deepEqual(parseCommandLine(['--cwd', 'sh', 'ls'], options, { command: true }).command, ['ls']);
    assert.deepEqual(parseCommandLine(['--cwd=/x', 'ls'], options, { command: true }).values.cwd, '/x');
  });
  test('unknown options and missing values are one-line UsageErrors', () => {
    for (const argv of [['--nope', 'ls'], ['--cwd'], ['--flag=1', 'ls'], ['-x', 'ls']]) {
      assert.throws(() => parseCommandLine(argv, options, { command: true }), (e: Error) => e instanceof UsageError && !e.message.includes('\n'), argv.join(' '));
    }
  });
  test('without command: positionals are returned', () => {
    assert.deepEqual(parseCommandLine(['12', '--flag'], options).positionals, ['12']);
  });

  // The syntax of node:util parseArgs in strict mode, which procctl parses itself (see args.ts);
  // each case is checked against parseArgs too, so the two cannot drift apart unnoticed.
  const spec = {
    signal: { type: 'string' as const, short: 's' },
    env: { type: 'string' as const, multiple: true, short: 'e' },
    verbose: { type: 'boolean' as const, short: 'v' },
    json: { type: 'boolean' as const },
    help: { type: 'boolean' as const, short: 'h' },
  };
  const accepted: string[][] = [
    ['--signal', 'INT'], ['--signal=INT'], ['--signal='], ['-s', 'KILL'], ['-sKILL'], ['-vh'], ['-vsINT'], ['-vs', 'INT'],
    ['-e', 'A=1', '--env', 'B=2', '--env=C=3'], ['--signal', 'INT', '--signal', 'TERM'], ['--verbose', '--verbose'],
    ['--signal', '-'], ['--json', '1', '--', '--json', '-v'], ['-'], [],
  ];
  test('accepted forms give what parseArgs gives', () => {
    for (const argv of accepted) {
      const ours = parseCommandLine(argv, spec);
      const theirs = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: true });
      assert.deepEqual({ values: { ...ours.values }, positionals: ours.positionals }, { values: { ...theirs.values }, positionals: theirs.positionals }, argv.join(' '));
    }
  });
  const refused: Array<[string[], RegExp]> = [
    [['--nope'], /^unknown option '--nope'$/],
    [['--sgnal', 'INT'], /^unknown option '--sgnal'; did you mean '--signal'\?$/],
    [['-x'], /^unknown option '-x'$/],
    [['-vx'], /^unknown option '-x'$/],
    [['--signal'], /^option '--signal <value>' argument missing$/],
    [['-s'], /^option '-s <value>' argument missing$/],
    [['--json=yes'], /^option '--json' does not take an argument$/],
    [['--signal', '-9'], /^option '--signal' argument is ambiguous: for a value starting with a dash use '--signal=-XYZ'$/],
    [['-s', '--json'], /^option '-s' argument is ambiguous: for a value starting with a dash use '--signal=-XYZ' or '-s-XYZ'$/],
  ];
  test('refused forms: a one-line UsageError where parseArgs throws', () => {
    for (const [argv, message] of refused) {
      assert.throws(() => parseCommandLine(argv, spec), (e: Error) => e instanceof UsageError && message.test(e.message), argv.join(' '));
      assert.throws(() => parseArgs({ args: argv, options: spec, strict: true, allowPositionals: true }), /ERR_PARSE_ARGS|Unknown option|argument/, argv.join(' '));
    }
  });
});
