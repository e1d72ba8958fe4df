// Fault: a worker thread that spawned children exits while the main thread keeps working. Node
// closes, at a worker's exit, every fd the worker opened through fs and did not close through fs
// (trackUnmanagedFds). If procctl ever opened an fd one way and closed it another, the worker's
// exit would close fd numbers that by then belong to the main thread: its pipes, its pidfds.
// The scenario makes that collision certain and checks the main thread's child is unharmed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { libIndex, runNodeScenario, scenarioPrelude } from '../helpers/reliability.js';

describe('fault: worker threads come and go', { timeout: 60_000 }, () => {
  test("a worker's exit never closes fds of the main thread's children", async () => {
    const worker = `
      import { parentPort } from 'node:worker_threads';
      const procctl = await import(${JSON.stringify(pathToFileURL(libIndex).href)});
      for (let i = 0; i < 20; i++) await procctl.spawn('/bin/true', [], { stdio: 'ignore' }).exited;
      parentPort.postMessage('spawned');
      await new Promise((resolve) => parentPort.once('message', resolve));
    `;
    const source = `${scenarioPrelude()}
      import { Worker } from 'node:worker_threads';
      import { once } from 'node:events';
      await rel.warmUp();
      const w = new Worker(${JSON.stringify(worker)}, { eval: true });
      await once(w, 'message');
      // The worker's fds are closed now; the main thread's new pipes reuse the lowest numbers.
      const child = procctl.spawn('/bin/sh', ['-c', 'read line; echo got:$line'], { stdio: ['pipe', 'pipe', 'ignore'] });
      w.postMessage('exit');
      await once(w, 'exit');
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
      child.stdin.end('hello\\n');
      const exit = await Promise.race([child.exited, new Promise((r) => setTimeout(r, 5000, 'no exit'))]);
      await new Promise((r) => setTimeout(r, 50));
      if (exit === 'no exit') child.kill('SIGKILL');
      report({ out, exit });
    `;
    const r = await runNodeScenario(source);
    assert.ok(r.report, `scenario died (${r.code ?? r.signal}):\n${r.stderr}`);
    assert.equal(r.report.out, 'got:hello\n', `the child's pipes must survive the worker: ${JSON.stringify(r.report)}`);
    assert.equal((r.report.exit as { code?: number }).code, 0);
    assert.doesNotMatch(r.stderr, /opened in unmanaged mode twice|closed but not opened/, 'Node saw the same fd owned twice');
  });
});
