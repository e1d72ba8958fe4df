// 10,000 sequential spawns of /bin/true: no fd, zombie or memory is left behind per spawn. Under
// AddressSanitizer (every child loads the sanitizer runtime, about 15 ms a spawn) 2,000: there the
// run looks for memory errors on the spawn path and for leaked fds and zombies, which 2,000 spawns
// show as well as 10,000; RSS is not checked there anyway.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage, listFds, rssBytes, underSanitizer, zombieChildren } from '../helpers/proc.js';
import { spawnNative } from '../helpers/native.js';

const TOTAL = underSanitizer ? 2_000 : 10_000;
const WARMUP = 500;

describe('native spawn: churn', { timeout: 300_000 }, () => {
  // Its own bound as well: the runner's default (120 s) is reached on a loaded machine.
  test(`${TOTAL} sequential spawns leave fds, zombies and RSS unchanged`, { timeout: 300_000 }, async (t) => {
    const fdsBefore = listFds();
    const zombiesBefore = zombieChildren().length;
    let rssAfterWarmup = 0;
    for (let i = 0; i < TOTAL; i++) {
      const exit = await spawnNative(['/bin/true'], { fds: [-1, -1, -1] }).exited;
      assert.equal(exit.code, 0);
      if (i === WARMUP) {
        collectGarbage();
        rssAfterWarmup = rssBytes();
      }
    }
    collectGarbage();
    const growth = rssBytes() - rssAfterWarmup;
    assert.deepEqual(listFds(), fdsBefore, 'open fds');
    assert.equal(zombieChildren().length, zombiesBefore, 'zombies');
    if (underSanitizer) {
      // ASan keeps freed memory in quarantine (256 MB by default): RSS says nothing there.
      t.diagnostic(`RSS grew ${(growth / 1048576).toFixed(1)} MB under AddressSanitizer (not checked)`);
      return;
    }
    assert.ok(growth < 20 * 1024 * 1024, `RSS grew ${(growth / 1048576).toFixed(1)} MB after warm-up`);
  });
});
