// procctl run [-f Procfile] [-e .env] [-m web=2,worker=1] [-t] [-p N] [--stop-timeout DURATION] [NAME...]
//
// A Procfile runner in the manner of foreman and goreman, on the Supervisor: every entry (or only
// the NAMEs given) runs as `sh -c COMMAND` in its own process group, in the Procfile's directory,
// as many copies as the formation says (web.1, web.2 when more than one), with PORT set as foreman
// sets it (base 5000 or --port or $PORT, +100 per Procfile entry, +1 per copy) and .env (or
// --env FILE[,FILE]) loaded through node:util parseEnv. Output of every process goes to stdout,
// each line prefixed with its padded name (coloured on a TTY unless NO_COLOR is set; with -t the
// time of day first).
//
// Stopping: SIGINT, SIGTERM or SIGHUP stops every group at once (TERM, --stop-timeout, default
// 10 s, then KILL; a second signal KILLs at once) and exits 0 once every group is empty. When an
// entry exits by itself, the others are stopped the same way and procctl exits with that entry's
// status (its code, or 128+N for signal N) — as foreman does, so a crash is visible to the caller.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import { Supervisor, type ExitEvent, type StartEvent } from '../supervisor/supervisor.js';
import { parseDotenv, parseFormation, parseProcfile, type ProcfileEntry } from './procfile.js';
import { relayLines } from './line-prefix.js';
import { SIGKILL, STOP_REQUESTS, signalExitStatus } from '../signals.js';
import { onSignals } from '../signal-listeners.js';
import { shellStatus } from '../exit.js';
import { MAX_TIMER_MS } from '../validate.js';
import { UsageError, parseCommandLine, parseDuration, single } from './args.js';
import { helpText } from './help.js';
import { OWN_FAILURE_STATUS } from './status.js';
import { colorEnabled, pad, palette, printError, printOut, type Palette } from './output.js';

const DEFAULT_PORT = 5000;
const PORT_STEP = 100;
/** How long output still in the pipes is relayed after every group has stopped. */
const RELAY_DRAIN_MS = 500;

interface RunConfig {
  help: boolean;
  procfile: string;
  stopTimeoutMs: number;
  basePort: number;
  envFiles: string[] | null;
  /** -m: copies per entry name ('all' for every other entry); empty: one of each. */
  formation: Map<string, number>;
  timestamps: boolean;
  /** NAME...: run only these entries. */
  only: string[];
}

const OPTIONS = {
  procfile: { type: 'string', short: 'f' },
  env: { type: 'string', short: 'e' },
  formation: { type: 'string', short: 'm' },
  timestamp: { type: 'boolean', short: 't' },
  port: { type: 'string', short: 'p' },
  'stop-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parsePort(text: string, option: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`${option}: invalid port '${text}'; use a number from 1 to 65535`);
  }
  return Number(text);
}

/** Every process's PORT (as computed per entry and copy) must be a port: at most 65535. */
function checkPorts(plans: readonly ProcessPlan[], config: RunConfig): void {
  const highest = plans.reduce((top, plan) => (plan.port > top.port ? plan : top), plans[0]!);
  if (highest.port > 65535) {
    throw new UsageError(
      `base port ${config.basePort} gives '${highest.name}' PORT=${highest.port}, past 65535; with this Procfile and formation the base port can be at most ${65535 - (highest.port - config.basePort)}`,
    );
  }
}

/** A spawn failure at start (E2BIG from a huge command, say) names the Procfile entry. */
function entryFailure(error: unknown, supervisor: Supervisor, config: RunConfig): unknown {
  const failed = supervisor.status().find((child) => child.lastError === error);
  if (failed === undefined || !(error instanceof Error)) return error;
  return new Error(`Procfile ${config.procfile}: entry '${failed.name}' could not start: ${error.message}`, { cause: error });
}

function parseRunArgs(argv: string[]): RunConfig {
  const line = parseCommandLine(argv, OPTIONS);
  const stopTimeout = single(line.values['stop-timeout']);
  const formation = single(line.values.formation);
  const envFiles = single(line.values.env);
  const port = single(line.values.port);
  const envPort = process.env.PORT;
  return {
    help: line.values.help === true,
    procfile: resolve(single(line.values.procfile) ?? 'Procfile'),
    stopTimeoutMs: stopTimeout === undefined ? 10_000 : parseDuration(stopTimeout, '--stop-timeout', MAX_TIMER_MS),
    basePort: port !== undefined ? parsePort(port, '--port') : envPort !== undefined && envPort !== '' ? parsePort(envPort, 'PORT') : DEFAULT_PORT,
    envFiles: envFiles === undefined ? null : envFiles.split(',').filter((f) => f !== '').map((f) => resolve(f)),
    formation: formation === undefined ? new Map() : parseFormation(formation),
    timestamps: line.values.timestamp === true,
    only: line.positionals,
  };
}

/** A file's text; a missing or unreadable one is named in words. */
function readText(path: string, what: string, hint = ''): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)'
      : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${code ?? (error as Error).message})`;
    throw new UsageError(`${what} ${path} ${reason}${hint}`);
  }
}

/** --env FILE[,FILE] (later files win), else .env next to the Procfile when there is one. */
function loadEnv(config: RunConfig): Record<string, string> {
  if (config.envFiles === null) {
    const path = resolve(dirname(config.procfile), '.env');
    return existsSync(path) ? parseDotenv(readText(path, 'env file')) : {};
  }
  return Object.assign({}, ...config.envFiles.map((path) => parseDotenv(readText(path, 'env file'))));
}

/** One process to run: a copy of a Procfile entry. */
interface ProcessPlan {
  name: string;
  command: string;
  port: number;
}

/**
 * The processes to run, in Procfile order: the NAMEs given (else every entry), each as many times
 * as the formation says. PORT as foreman assigns it: base + 100 × the entry's place in the
 * Procfile + the copy's number - 1.
 */
function processPlans(entries: ProcfileEntry[], config: RunConfig): ProcessPlan[] {
  const names = new Set(entries.map((e) => e.name));
  for (const name of config.only) {
    if (names.has(name)) continue;
    const file = existsSync(name) && statSync(name).isFile() ? `; to run another Procfile, pass -f ${name}` : '';
    throw new UsageError(`no entry '${name}' in ${config.procfile}; its entries are ${[...names].join(', ')}${file}`);
  }
  for (const name of config.formation.keys()) {
    if (name !== 'all' && !names.has(name)) throw new UsageError(`--formation: no entry '${name}' in ${config.procfile}; its entries are ${[...names].join(', ')}`);
  }
  const plans: ProcessPlan[] = [];
  entries.forEach((entry, i) => {
    if (config.only.length > 0 && !config.only.includes(entry.name)) return;
    const copies = config.formation.get(entry.name) ?? config.formation.get('all') ?? 1;
    for (let n = 1; n <= copies; n++) {
      plans.push({ name: copies > 1 ? `${entry.name}.${n}` : entry.name, command: entry.command, port: config.basePort + PORT_STEP * i + n - 1 });
    }
  });
  if (plans.length === 0) throw new UsageError(`nothing to run: the formation runs no copy of any entry of ${config.procfile}`);
  return plans;
}

function childSpecs(plans: ProcessPlan[], config: RunConfig, dotenv: Record<string, string>) {
  return plans.map((plan) => ({
    name: plan.name,
    file: 'sh',
    args: ['-c', plan.command],
    restart: 'never' as const,
    stopTimeout: config.stopTimeoutMs,
    options: {
      cwd: dirname(config.procfile),
      env: { ...process.env, ...dotenv, PORT: String(plan.port) },
      stdio: ['ignore', 'pipe', 'pipe'] as const,
    },
  }));
}

/** One colour per process, in turn; names padded to the longest. */
function prefixes(plans: ProcessPlan[], colors: Palette): Map<string, string> {
  const width = Math.max(...plans.map((p) => p.name.length), 'procctl'.length);
  const cycle = [colors.cyan, colors.yellow, colors.green, colors.bold, colors.dim];
  return new Map([
    ...plans.map((p, i): [string, string] => [p.name, `${cycle[i % cycle.length]!(pad(p.name, width))} | `]),
    ['procctl', `${pad('procctl', width)} | `],
  ]);
}

/** HH:MM:SS of the local time, as foreman prints it. */
function timeOfDay(): string {
  const now = new Date();
  return [now.getHours(), now.getMinutes(), now.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** printOut, with the time of day in front of every line when -t is given. */
function outputWriter(timestamps: boolean): (text: string) => void {
  if (!timestamps) return printOut;
  return (text) => {
    const stamp = `${timeOfDay()} `;
    printOut(text.replace(/^(?=[^\n])/gm, stamp));
  };
}

function exitStatus(exit: ExitEvent): number {
  return shellStatus(exit) ?? signalExitStatus(SIGKILL);
}

function describeExit(exit: ExitEvent): string {
  return exit.code !== null ? `exited with code ${exit.code}` : `was killed by ${exit.signal}`;
}

async function runProcfile(config: RunConfig): Promise<number> {
  const hint = config.procfile === resolve('Procfile') ? ' (no Procfile in this directory; pass -f FILE to name one)' : '';
  const entries = parseProcfile(readText(config.procfile, 'Procfile', hint), config.procfile);
  if (entries.length === 0) throw new UsageError(`Procfile ${config.procfile}: no entries`);
  const plans = processPlans(entries, config);
  checkPorts(plans, config);
  const dotenv = loadEnv(config);
  const labels = prefixes(plans, palette(colorEnabled(1)));
  const write = outputWriter(config.timestamps);
  const say = (text: string): void => write(`${labels.get('procctl')}${text}\n`);
  const supervisor = new Supervisor({ children: childSpecs(plans, config, dotenv), parallelStop: true });

  const relays: Array<Promise<void>> = [];
  supervisor.on('start', ({ name, pid, process: child }: StartEvent) => {
    const prefix = labels.get(name)!;
    for (const stream of [child.stdout, child.stderr]) if (stream !== null) relays.push(relayLines(stream, prefix, write));
    say(`${name} started (pid ${pid}, PORT=${plans.find((p) => p.name === name)?.port})`);
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
  const onSignal = (_signo: number, name: string): void => {
    signals++;
    if (signals === 1) {
      say(`${name} received; stopping (KILL after ${config.stopTimeoutMs} ms)`);
      void supervisor.stop();
    } else {
      say(`${name} received again; killing`);
      supervisor.signal('SIGKILL');
    }
  };
  const stopListening = onSignals(STOP_REQUESTS, onSignal);
  try {
    try {
      await supervisor.start();
    } catch (error) {
      throw entryFailure(error, supervisor, config);
    }
    await supervisor.stopped;
    // Every group is empty now; only an escaped process could still hold a pipe: do not wait for it.
    await Promise.race([Promise.all(relays), sleep(RELAY_DRAIN_MS, undefined, { ref: false })]);
    return status;
  } finally {
    stopListening();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    const config = parseRunArgs(argv);
    if (config.help) {
      printOut(helpText('run') ?? '');
      return 0;
    }
    return await runProcfile(config);
  } catch (error) {
    printError((error as Error).message);
    return OWN_FAILURE_STATUS;
  }
}
