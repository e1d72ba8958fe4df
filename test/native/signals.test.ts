// Signal dispositions and mask of spawned children, observed in /proc/PID/status. The parent
// state (ignored INT/QUIT/PIPE/RTMIN+3, blocked USR1, a caught USR2) is built in a fixture
// process, since a test runner should not carry it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maskOf } from '../helpers/proc.js';
import { fixtureReport, runFixture } from '../helpers/native.js';

interface Masks {
  SigIgn: string;
  SigBlk: string;
  SigCgt: string;
}

const bits = (hex: string): bigint => BigInt(`0x${hex}`);

describe('native spawn: signal state of the child', { timeout: 60_000 }, () => {
  test('dispositions and mask follow the request, whatever the parent has', async () => {
    const result = await runFixture('signal-parent');
    assert.equal(result.code, 0, result.stderr);
    const report = fixtureReport<Record<'parent' | 'reset' | 'inherit' | 'requested' | 'partial', Masks>>(result);

    // The parent really is in the odd state.
    assert.equal(bits(report.parent.SigIgn) & maskOf(2, 3, 13, 37), maskOf(2, 3, 13, 37));
    assert.equal(bits(report.parent.SigBlk) & maskOf(10), maskOf(10));

    // Default spawn: nothing ignored, nothing blocked, nothing caught.
    assert.equal(bits(report.reset.SigIgn), 0n, 'SigIgn of a default spawn');
    assert.equal(bits(report.reset.SigBlk), 0n, 'SigBlk of a default spawn');
    assert.equal(bits(report.reset.SigCgt), 0n);

    // resetSignals false and mask null: ignored stay ignored, the mask is the caller's, and the
    // caught USR2 handler is not carried over (it would run parent code on shared memory).
    // (Node itself ignores SIGPIPE and SIGXFSZ.)
    assert.equal(bits(report.inherit.SigIgn), maskOf(2, 3, 13, 25, 37));
    assert.equal(bits(report.inherit.SigBlk), maskOf(10));
    assert.equal(bits(report.inherit.SigCgt), 0n);

    // Requested sets give exactly those bits.
    assert.equal(bits(report.requested.SigIgn), maskOf(15, 40));
    assert.equal(bits(report.requested.SigBlk), maskOf(12, 35));

    // defaultSignals overrides the inherited ignore for just those signals.
    assert.equal(bits(report.partial.SigIgn), maskOf(3, 13, 25));
  });
});
