// procctl run [Procfile] [--stop-timeout DURATION] [--port N] [--env FILE]
//
// A Procfile runner in the manner of foreman and goreman, on the Supervisor: every entry runs as
// `sh -c COMMAND` in its own process group, in the Procfile's directory, with PORT set as foreman
// sets it (base 5000 or --port or $PORT, +100 per entry) and .env (or --env FILE) loaded. Output
// of every entry goes to stdout, each line prefixed with the entry's padded name (coloured on a
// TTY unless NO_COLOR is set).
//
// Stopping: SIGINT, SIGTERM or SIGHUP stops every group at once (TERM, --stop-timeout, default
// 10 s, then KILL; a second signal KILLs at once) and exits 0 once every group is empty. When an
// entry exits by itself, the others are stopped the same way and procctl exits with that entry's
// status (its code, or 128+N for signal N) — as foreman does, so a crash is visible to the caller.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import { Supervisor, type ExitEvent, type StartEvent } from '../supervisor/supervisor.js';
import { parseDotenv, parseProcfile, type ProcfileEntry } from '../supervisor/procfile.js';
import { relayLines } from '../supervisor/line-prefix.js';
import { parseSignal } from '../signals.js';
import { MAX_TIMER_MS } from '../options.js';
import { UsageError, parseCommandLine, parseDuration, single } from './args.js';
import { colorEnabled, pad, palette, printError, printOut, type Palette } from './output.js';

const OWN_FAILURE = 125;
const DEFAULT_PORT = 5000;
const PORT_STEP = 100;
/** How long output still in the pipes is relayed after every group has stopped. */
const RELAY_DRAIN_MS = 500;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface RunConfig {
  help: boolean;
  procfile: string;
  stopTimeoutMs: number;
  basePort: number;
  envFile: string | null;
}

const OPTIONS = {
  'stop-timeout': { type: 'string' },
  port: { type: 'string', short: 'p' },
  env: { type: 'string', short: 'e' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `Usage: procctl run [options] [Procfile]

Run every 'name: command' entry of the Procfile (default ./Procfile) with sh -c, each in its own
process group, in the Procfile's directory. Output lines are prefixed with the entry's name.
PORT is set to the base port (--port, else $PORT, else 5000) plus 100 per entry; .env next to the
Procfile (or --env FILE) is loaded. Ctrl-C, TERM or HUP stops every group (TERM, --stop-timeout,
KILL; a second signal kills at once) and exits 0. When an entry exits by itself the others are
stopped and procctl exits with that entry's status (128+N for signal N); 125 on its own failure.

Options:
  --stop-timeout DURATION   grace between TERM and KILL (default 10s)
  -p, --port N              base port (default $PORT or 5000)
  -e, --env FILE            environment file (default: .env next to the Procfile, if present)
  -h, --help                show this help
`;

function parsePort(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`${option}: invalid port '${text}'; use a number from 1 to 65535`);
  }
  return Number(text);
}

function parseRunArgs(argv: string[]): RunConfig {
  const line = parseCommandLine(argv, OPTIONS);
  if (line.positionals.length > 1) throw new UsageError(`run: takes at most one Procfile; got ${line.positionals.length} arguments`);
  const stopTimeout = single(line.values['stop-timeout']);
  const port = single(line.values.port);
  const envPort = process.env.PORT;
  return {
    help: line.values.help === true,
    procfile: resolve(line.positionals[0] ?? 'Procfile'),
    stopTimeoutMs: stopTimeout === undefined ? 10_000 : parseDuration(stopTimeout, '--stop-timeout', MAX_TIMER_MS),
    basePort: port !== undefined ? parsePort(port, '--port') : envPort !== undefined && envPort !== '' ? parsePort(envPort, 'PORT') : DEFAULT_PORT,
    envFile: single(line.values.env) ?? null,
  };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** --env FILE, else .env next to the Procfile when there is one. */
function loadEnv(config: RunConfig): Record<string, string> {
  const path = config.envFile ?? resolve(dirname(config.procfile), '.env');
  if (config.envFile === null && !existsSync(path)) return {};
  return parseDotenv(readText(path, 'env file'));
}

function childSpecs(entries: ProcfileEntry[], config: RunConfig, dotenv: Record<string, string>) {
  return entries.map((entry, i) => ({
    name: entry.name,
    file: 'sh',
    args: ['-c', entry.command],
    restart: 'never' as const,
    stopTimeout: config.stopTimeoutMs,
    options: {
      cwd: dirname(config.procfile),
      env: { ...process.env, ...dotenv, PORT: String(config.basePort + PORT_STEP * i) },
      stdio: ['ignore', 'pipe', 'pipe'] as const,
    },
  }));
}

/** One colour per entry, in turn; names padded to the longest. */
function prefixes(entries: ProcfileEntry[], colors: Palette): Map<string, string> {
  const width = Math.max(...entries.map((e) => e.name.length), 'procctl'.length);
  const cycle = [colors.cyan, colors.yellow, colors.green, colors.bold, colors.dim];
  return new Map([
    ...entries.map((e, i): [string, string] => [e.name, `${cycle[i % cycle.length]!(pad(e.name, width))} | `]),
    ['procctl', `${pad('procctl', width)} | `],
  ]);
}

function exitStatus(exit: ExitEvent): number {
  return exit.code ?? 128 + parseSignal(exit.signal ?? 'SIGKILL', 'signal');
}

function describeExit(exit: ExitEvent): string {
  return exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
}

async function runProcfile(config: RunConfig): Promise<number> {
  const entries = parseProcfile(readText(config.procfile, 'Procfile'), config.procfile);
  if (entries.length === 0) throw new UsageError(`Procfile ${config.procfile}: no entries`);
  const dotenv = loadEnv(config);
  const labels = prefixes(entries, palette(colorEnabled(1)));
  const say = (text: string): void => printOut(`${labels.get('procctl')}${text}\n`);
  const supervisor = new Supervisor({ children: childSpecs(entries, config, dotenv), parallelStop: true });

  const relays: Array<Promise<void>> = [];
  supervisor.on('start', ({ name, pid, process: child }: StartEvent) => {
    const prefix = labels.get(name)!;
    for (const stream of [child.stdout, child.stderr]) if (stream !== null) relays.push(relayLines(stream, prefix, printOut));
    say(`${name} started (pid ${pid}, PORT=${config.basePort + PORT_STEP * entries.findIndex((e) => e.name === name)})`);
  });
  let status = 0;
  supervisor.on('exit', (exit) => {
    if (supervisor.state !== 'running') return;
    // The first entry to end on its own ends the run, with its status.
    status = exitStatus(exit);
    say(`${exit.name} ${describeExit(exit)}; stopping the others`);
    void supervisor.stop();
  });

  let signals = 0;
  const onSignal = (name: string): void => {
    signals++;
    if (signals === 1) {
      say(`${name} received; stopping (KILL after ${config.stopTimeoutMs} ms)`);
      void supervisor.stop();
    } else {
      say(`${name} received again; killing`);
      supervisor.signal('SIGKILL');
    }
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  try {
    await supervisor.start();
    await supervisor.stopped;
    // Every group is empty now; only an escaped process could still hold a pipe: do not wait for it.
    await Promise.race([Promise.all(relays), sleep(RELAY_DRAIN_MS, undefined, { ref: false })]);
    return status;
  } finally {
    for (const name of STOP_SIGNALS) process.off(name, onSignal);
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const config = parseRunArgs(argv);
    if (config.help) {
      printOut(USAGE);
      return 0;
    }
    return await runProcfile(config);
  } catch (error) {
    printError((error as Error).message);
    return OWN_FAILURE;
  }
}
