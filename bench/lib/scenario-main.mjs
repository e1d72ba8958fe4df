// The worker side of a scenario: each scenario file runs in its own Node process (so an RSS level
// or a thousand children never leak into the next measurement). The parent passes a JSON config
// as argv[2]; the scenario's result is written as JSON to config.resultFile. Progress goes to
// stderr; stdout stays unused.
import { writeFileSync } from 'node:fs';
import { errorLine } from './format.mjs';

/** Log one progress line to stderr, prefixed with the scenario name. */
export function progress(scenario, text) {
  process.stderr.write(`  [${scenario}] ${text}\n`);
}

/**
 * Measure each loaded library with `measureOne(library)` → row fields. A library that throws
 * gets a row {name, error} instead, so one broken library does not cost the others their figures.
 */
export async function measureEach(scenario, loaded, measureOne) {
  const rows = [];
  for (const library of loaded) {
    try {
      rows.push({ name: library.name, ...(await measureOne(library)) });
    } catch (error) {
      const message = errorLine(error);
      progress(scenario, `${library.name}: failed: ${message}`);
      rows.push({ name: library.name, error: message });
    }
  }
  return rows;
}

/** Run `measure(config)` and write its result; exit 1 with the error on failure. */
export async function runScenario(measure) {
  const config = JSON.parse(process.argv[2] ?? '{}');
  try {
    const result = await measure(config);
    writeFileSync(config.resultFile, JSON.stringify(result));
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
}
