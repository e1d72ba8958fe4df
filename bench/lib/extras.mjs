// Other areas' own benchmark scripts in bench/ (the CLI's, the supervisor's, lines()'). The runner starts
// each one that exists, under the run marker and a deadline, and puts its figures in the report:
// stdout lines that are all JSON objects become a table, Markdown is included as written, plain
// text in a code block.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_ENV, sweepMarked } from './sweep.mjs';
import { num, table } from './format.mjs';

export const EXTRAS = [
  { script: 'cli.mjs', title: 'CLI start', args: ['--json'] },
  { script: 'supervisor.mjs', title: 'Supervisor', args: ['--json'] },
  { script: 'init.mjs', title: 'procctl init', args: ['--json'] },
  { script: 'lines.mjs', title: 'lines() over 100 MB', args: ['--json'] },
];

function runExtra(ctx, benchDir, extra, deadlineMs) {
  const command = ['node', `bench/${extra.script}`, ...extra.args].join(' ');
  return new Promise((resolve) => {
    execFile(process.execPath, [join(benchDir, extra.script), ...extra.args], {
      cwd: join(benchDir, '..'), timeout: deadlineMs, killSignal: 'SIGKILL', maxBuffer: 16 * 2 ** 20,
      env: { ...process.env, [RUN_ENV]: ctx.runId },
    }, (error, stdout, stderr) => {
      sweepMarked(ctx.runId);
      if (!error) resolve({ title: extra.title, command, output: stdout });
      else {
        const why = error.killed ? `timed out after ${deadlineMs / 1000} s` : `exited ${error.code}`;
        resolve({ title: extra.title, command, error: `${why}: ${stderr.trim().split('\n').pop() ?? ''}` });
      }
    });
  });
}

/** Run every extra script present in benchDir, one after the other. */
export async function measureExtras(ctx, benchDir, deadlineMs, log) {
  const results = [];
  for (const extra of EXTRAS) {
    if (!existsSync(join(benchDir, extra.script))) continue;
    log(`bench: bench/${extra.script}`);
    results.push(await runExtra(ctx, benchDir, extra, deadlineMs));
  }
  return results;
}

/** JSON-lines output as a table (columns: the union of keys), or null when it is not that. */
function jsonLinesTable(output) {
  const lines = output.trim().split('\n').filter(Boolean);
  const records = [];
  for (const line of lines) {
    try {
      const value = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
      // {target, measured, met} lines are verdicts: the Targets table shows them.
      if (typeof value.target !== 'string') records.push(value);
    } catch {
      return null;
    }
  }
  if (records.length === 0) return null;
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (typeof v === 'number' ? num(v) : v === undefined ? '' : String(v));
  return table(keys, records.map((r) => keys.map((k) => cell(r[k]))));
}

/** Output that is already Markdown (a table or headings) as is; plain text in a code block. */
function asMarkdown(output) {
  const text = output.trim();
  return /^(\||#)/m.test(text) ? text : `\`\`\`\n${text}\n\`\`\``;
}

/** The report section of one extra script's result. */
export function renderExtra(extra, index) {
  const heading = `## ${8 + index}. ${extra.title} (\`${extra.command}\`)`;
  if (extra.error) return `${heading}\n\n_Not measured: ${extra.error}._`;
  return `${heading}\n\n${jsonLinesTable(extra.output) ?? asMarkdown(extra.output)}`;
}
