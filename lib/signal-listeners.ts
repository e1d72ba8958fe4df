// Listening in this process for a set of signals, and the undo: the one place procctl installs
// and removes signal listeners. exec's forwarding to the command's group, the supervisor's
// forwarding and shutdown, run's stop requests, init's record of what arrived before the exec and
// exec's terminal job (SIGCHLD) all listen through onSignals. Which signals each of them takes is
// a named set in signals.ts.
import { constants as osConstants } from 'node:os';
import { signalName } from './signals.js';

/** Called with the number and Node's name of the signal that arrived. */
export type SignalHandler = (signo: number, name: NodeJS.Signals) => void;

/** Node's name of a signal it can listen for, else null (realtime signals have none in Node). */
function listenableName(signo: number): NodeJS.Signals | null {
  const name = signalName(signo);
  return Object.hasOwn(osConstants.signals, name) ? (name as NodeJS.Signals) : null;
}

/**
 * Listen for every signal of `set` that Node can listen for, in ascending order (the realtime
 * ones are skipped: Node has no name for them). Returns the function that removes the listeners.
 */
export function onSignals(set: Iterable<number>, handler: SignalHandler): () => void {
  const listeners: Array<[NodeJS.Signals, () => void]> = [];
  for (const signo of [...new Set(set)].sort((a, b) => a - b)) {
    const name = listenableName(signo);
    if (name === null) continue;
    const listener = (): void => handler(signo, name);
    process.on(name, listener);
    listeners.push([name, listener]);
  }
  return () => {
    for (const [name, listener] of listeners.splice(0)) process.off(name, listener);
  };
}
