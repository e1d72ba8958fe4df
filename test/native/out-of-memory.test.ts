// A C++ allocation failure inside a native call becomes an ENOMEM error instead of terminating
// the process (node-addon-api converts only Napi::Error; std::bad_alloc used to unwind into V8
// and abort with "terminate called after throwing an instance of 'std::bad_alloc'").
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { fixtureReport, runFixture } from '../helpers/native.js';
import { hasTool, underSanitizer } from '../helpers/reliability.js';

interface Outcome {
  spawned: boolean;
  code?: string;
  errno?: number;
  message?: string;
}

describe('native calls under memory exhaustion', { timeout: 60_000 }, () => {
  test('spawn whose request cannot be copied throws ENOMEM, the process lives on', async (t) => {
    if (!(await hasTool('prlimit'))) return t.skip('prlimit (util-linux) not installed');
    if (underSanitizer) return t.skip('AddressSanitizer reserves more address space than the limit leaves');
    const result = await runFixture('out-of-memory', [], { timeout: 30_000 });
    assert.equal(result.signal, null, `fixture died: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /terminate called/);
    assert.equal(result.code, 0, result.stderr);
    const outcome = fixtureReport<Outcome>(result);
    if (outcome.spawned) return t.skip('the address-space limit did not bite: nothing to check');
    assert.equal(outcome.code, 'ENOMEM');
    assert.equal(outcome.errno, -constants.errno.ENOMEM);
    assert.match(outcome.message ?? '', /^ENOMEM: cannot allocate memory, spawn$/);
  });
});
