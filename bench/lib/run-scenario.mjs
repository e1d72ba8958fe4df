// The parent side of a scenario: start bench/scenarios/<name>.mjs in a fresh Node process with
// the run marker in its environment, wait for it under a deadline, read its JSON result, and
// sweep anything it left behind.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUN_ENV, sweepMarked } from './sweep.mjs';

const scenarioDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** Wait for the worker's exit; SIGKILL it when deadlineMs passes first. */
function waitWorker(worker, deadlineMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      worker.kill('SIGKILL');
      resolve({ timedOut: true, code: null });
    }, deadlineMs);
    worker.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ timedOut: false, code, signal });
    });
  });
}

/**
 * Run one scenario. ctx: {runId, tmpDir}. Returns its result object, or {error} describing why
 * there is none (the run goes on with the other scenarios).
 */
export async function runScenarioProcess(ctx, name, config, { deadlineMs, nodeArgs = [], env = {} }) {
  const resultFile = join(ctx.tmpDir, `${name}-${Date.now()}.json`);
  const worker = spawn(process.execPath, [...nodeArgs, join(scenarioDir, `${name}.mjs`),
    JSON.stringify({ ...config, resultFile })], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env, [RUN_ENV]: ctx.runId },
  });
  const status = await waitWorker(worker, deadlineMs);
  const leftovers = sweepMarked(ctx.runId);
  if (leftovers > 0) process.stderr.write(`  [${name}] swept ${leftovers} leftover process(es)\n`);
  const error = status.timedOut ? `timed out after ${Math.round(deadlineMs / 1000)} s`
    : status.code !== 0 ? `worker exited ${status.code ?? status.signal}` : null;
  if (error) {
    process.stderr.write(`  [${name}] no result: ${error}\n`);
    return { error };
  }
  try {
    return JSON.parse(readFileSync(resultFile, 'utf8'));
  } finally {
    rmSync(resultFile, { force: true });
  }
}
