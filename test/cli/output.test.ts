// Colour rules of the CLI output, tested in-process: NO_COLOR wins, a non-TTY gets no colour, and
// the fstat pre-check that keeps node:tty unloaded answers as isatty(3) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { colorEnabled, isTerminal, palette } from '../../lib/cli/output.js';

test('NO_COLOR disables colour; a pipe is never coloured; palette(false) is plain text', () => {
  const saved = process.env.NO_COLOR;
  try {
    process.env.NO_COLOR = '1';
    assert.equal(colorEnabled(1), false);
    delete process.env.NO_COLOR;
    // The test runner's stdout is not a TTY.
    assert.equal(colorEnabled(1), false);
    assert.equal(palette(false).red('x'), 'x');
    assert.equal(palette(true).red('x'), '\x1b[31mx\x1b[39m');
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

test('isTerminal agrees with isatty(3) for /dev/null, /dev/zero, a FIFO, a file, a pty master and a closed fd', () => {
  const fds: number[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'procctl-output-'));
  try {
    const cases: Array<[string, number, boolean]> = [];
    const open = (label: string, path: string, expected: boolean): void => {
      const fd = openSync(path, 'r+');
      fds.push(fd);
      cases.push([label, fd, expected]);
    };
    open('/dev/null', '/dev/null', false);
    open('/dev/zero', '/dev/zero', false);
    writeFileSync(join(dir, 'file'), '');
    open('a regular file', join(dir, 'file'), false);
    open('a pty master', '/dev/ptmx', true);
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo')]).status, 0);
    open('a FIFO (a pipe, as fstat sees it)', join(dir, 'fifo'), false); // O_RDWR: never blocks on Linux
    for (const [label, fd, expected] of cases) {
      assert.equal(isTerminal(fd), expected, label);
      assert.equal(isatty(fd), expected, `${label} (isatty)`);
    }
    const closed = openSync('/dev/null', 'r');
    closeSync(closed);
    assert.equal(isTerminal(closed), false, 'a closed fd');
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
