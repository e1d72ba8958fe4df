// 200 supervised children started and stopped cleanly: every group empty, nothing left, no
// zombie of ours. (How fast lives in bench/supervisor.mjs, not here.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Supervisor } from '../../lib/supervisor/supervisor.js';
import { groupMembers, isAlive, killGroupQuietly, withDeadline, zombieChildren } from '../helpers/proc.js';

const COUNT = 200;

for (const parallelStop of [true, false]) {
  test(`${COUNT} children start and stop cleanly (parallelStop: ${parallelStop})`, { timeout: 120_000 }, async () => {
    const children = Array.from({ length: COUNT }, (_, i) => ({
      name: `c${i}`, file: 'sh', args: ['-c', 'sleep 1000 & wait'], stopTimeout: 5000,
    }));
    const supervisor = new Supervisor({ children, parallelStop });
    const pgids: number[] = [];
    supervisor.on('start', (e) => pgids.push(e.pgid));
    try {
      await withDeadline(supervisor.start(), 60_000, 'start');
      const status = supervisor.status();
      assert.equal(status.length, COUNT);
      assert.ok(status.every((s) => s.state === 'running' && isAlive(s.pid!)));
      await withDeadline(supervisor.stop(), 100_000, 'stop');
      assert.ok(supervisor.status().every((s) => s.state === 'stopped' && s.lastExit?.signal === 'SIGTERM'));
      for (const pgid of pgids) assert.deepEqual(groupMembers(pgid).filter(isAlive), [], `group ${pgid} is empty`);
      assert.deepEqual(zombieChildren().filter((pid) => pgids.includes(pid)), []);
    } finally {
      pgids.forEach(killGroupQuietly);
    }
  });
}
