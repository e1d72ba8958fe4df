// Scenario: exec round trip with captured output: run `/bin/echo hi`, collect stdout, check it.
// Libraries are measured in interleaved rounds. Config: {file, args, expect, plan}.
// Result: {command, rows: [{name, totalMs, syncMs, ...} | {name, error}], missing}.
import { loadLibraries } from '../lib/libraries.mjs';
import { collectSerial, measureInRounds } from '../lib/measure.mjs';
import { progress, runScenario } from '../lib/scenario-main.mjs';

await runScenario(async ({ file, args, expect, plan }) => {
  const { loaded, missing } = await loadLibraries('exec');
  const cells = loaded.map(({ name, adapter }) => ({
    name,
    collect: (p) => collectSerial(async () => {
      const stdout = await adapter.exec(file, args);
      if (String(stdout).trim() !== expect) throw new Error(`stdout was ${JSON.stringify(stdout)}`);
    }, p),
  }));
  const rows = await measureInRounds(cells, plan, (row) => progress('exec', row.error
    ? `${row.name}: failed: ${row.error}` : `${row.name}: median ${row.totalMs.median.toFixed(3)} ms`));
  return { command: [file, ...args].join(' '), rows, missing };
});
