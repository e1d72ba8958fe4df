// Colour rules of the CLI output, tested in-process: NO_COLOR wins, a non-TTY gets no colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorEnabled, palette } from '../../lib/cli/output.js';

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
