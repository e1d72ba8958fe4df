// procctl init [--kill-after DURATION] [--rewrite SIG:SIG]... [--] COMMAND [ARG...]
//
// A container entrypoint in the manner of tini and dumb-init. Node only validates the options; the
// init itself is procctl-init (native/init/init.c, whose top comment is its contract), which this
// process becomes through execve in place: same PID, so PID 1 stays PID 1, and once COMMAND runs
// the footprint is the static program's, not Node's.
//
// The first moments: a signal that arrives while Node validates must neither be lost nor end
// procctl. Blocking the main thread's mask is not enough (Node's other threads would take a
// process-directed signal and its default action), so first every signal Node can listen for gets
// a listener that records it, then the main thread blocks everything, then holdSignals makes
// every thread block the recorded signals (held-signals.cc: each other thread is sent a signal
// whose handler blocks them there), so from its return on a signal stays pending into
// procctl-init, which reads pending signals at start. What a thread took before it blocked them
// has gone through its handler by then: libuv's, whose listener records it in the two turns of the
// event loop below (passed on with -q), or holdSignals', which left it pending on this thread.
// COMMAND gets back the mask procctl was started with.
import { locateInit } from '../init-binary.js';
import { native } from '../native.js';
import { nativeRequest } from '../spawn/request.js';
import { FAULTS, LIBC_RESERVED, NEVER_FORWARDED, allSignals, signalName, sigsetToMask } from '../signals.js';
import { onSignals } from '../signal-listeners.js';
import { UsageError, parseCommandLine, parseDuration, parseSignalArg, repeated, single } from './args.js';
import { helpText } from './help.js';
import { OWN_FAILURE_STATUS } from './status.js';
import { printError, printOut } from './output.js';


interface InitConfig {
  help: boolean;
  command: string[];
  killAfterMs: number;
  /** [received, forwarded] (0: drop). */
  rewrite: Array<[number, number]>;
}

const OPTIONS = {
  'kill-after': { type: 'string' },
  rewrite: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseRewrite(text: string): [number, number] {
  const match = /^([^:]+):([^:]+)$/.exec(text);
  if (match === null) throw new UsageError(`--rewrite: expected SIG:SIG (e.g. TERM:INT, or TERM:0 to drop); got '${text}'`);
  const from = parseSignalArg(match[1]!, '--rewrite');
  if (NEVER_FORWARDED.has(from)) {
    throw new UsageError(`--rewrite: ${signalName(from)} cannot be rewritten: procctl never receives it as a signal to forward (got '${text}')`);
  }
  return [from, match[2] === '0' ? 0 : parseSignalArg(match[2]!, '--rewrite')];
}

function parseInitArgs(argv: string[]): InitConfig {
  const line = parseCommandLine(argv, OPTIONS, { command: true });
  if (line.values.help === true) return { help: true, command: [], killAfterMs: 0, rewrite: [] };
  if (line.command.length === 0) throw new UsageError('init: missing COMMAND; usage: procctl init [options] [--] COMMAND [ARG...]');
  const killAfter = single(line.values['kill-after']);
  return {
    help: false,
    command: line.command,
    killAfterMs: killAfter === undefined ? 5000 : parseDuration(killAfter, '--kill-after'),
    rewrite: repeated(line.values.rewrite).map(parseRewrite),
  };
}

/** procctl-init's command line for this configuration. */
function initArgv(binary: string, config: InitConfig, commandMask: number[], early: number[]): string[] {
  const rewrites = config.rewrite.flatMap(([from, to]) => ['-r', `${from}:${to}`]);
  const received = early.flatMap((sig) => ['-q', String(sig)]);
  return [binary, '-g', String(config.killAfterMs), '-m', sigsetToMask(commandMask).toString(16), ...rewrites, ...received, '--', ...config.command];
}

const EVERY_SIGNAL = allSignals();

/**
 * What procctl init records, then holds, for procctl-init to forward: every signal but the
 * never-forwarded ones, faults (a listener or a resend would turn a real fault into a loop) and
 * glibc's own two (their handlers stay the C library's).
 */
const RECORDED = EVERY_SIGNAL.filter((signo) => !NEVER_FORWARDED.has(signo) && !FAULTS.has(signo) && !LIBC_RESERVED.has(signo));

/**
 * Listen for every recorded signal Node can (on any of its threads; not the realtime ones), in
 * ascending order (PWR, 30, last). Returns what the listeners have caught.
 */
function recordSignals(): number[] {
  const caught: number[] = [];
  onSignals(RECORDED, (signo) => caught.push(signo));
  return caught;
}

export async function main(argv: string[]): Promise<number> {
  const early = recordSignals();
  const startedMask = native().setSignalMask(EVERY_SIGNAL);
  // From here on a signal stays pending into procctl-init, whichever thread the kernel would have
  // handed it to; what the listeners caught before is collected below.
  native().holdSignals(RECORDED);
  let config: InitConfig;
  try {
    config = parseInitArgs(argv);
  } catch (error) {
    printError((error as Error).message);
    return OWN_FAILURE_STATUS;
  }
  if (config.help) {
    printOut(helpText('init') ?? '');
    return 0;
  }
  const binary = locateInit();
  if (binary === null) {
    printError('init: procctl-init is not built (build/Release or prebuilds/); run npm run build');
    return OWN_FAILURE_STATUS;
  }
  // Let the listeners run for what they caught: the second turn's poll phase reads every signal
  // libuv saw before the mask was set (the first may run in the current turn, after its poll).
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  const failure = native().execve(nativeRequest(
    {
      file: binary,
      candidates: [binary],
      argv: initArgv(binary, config, startedMask, early),
      envp: Object.entries(process.env).map(([name, value]) => `${name}=${value}`),
      cwd: null,
      fds: [0, 1, 2],
    },
    { mask: EVERY_SIGNAL },
  ));
  printError(`init: cannot run ${binary}: ${failure.message}`);
  return OWN_FAILURE_STATUS;
}
