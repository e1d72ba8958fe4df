// The command line of inspect and tree: PID [--json] [-h|--help]. Their help text is loaded only
// for --help (help.ts holds every command's text).
import { UsageError, parseCommandLine } from './args.js';
import { printError, printOut } from './output.js';
import { USAGE_STATUS } from './status.js';

/** The arguments of inspect and tree. */
export interface QueryArgs {
  pid: number;
  json: boolean;
  help: boolean;
}

/**
 * Parse the argv of inspect or tree; pidOf turns the positionals into the PID (a UsageError when
 * they do not fit). A UsageError is printed as its one line and yields USAGE_STATUS; --help prints
 * the command's help and yields 0; else the parsed arguments.
 */
export async function parseQueryCommand(command: 'inspect' | 'tree', argv: string[], pidOf: (positionals: string[], help: boolean) => number): Promise<QueryArgs | number> {
  let args: QueryArgs;
  try {
    const { values, positionals } = parseCommandLine(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    const help = values.help === true;
    args = { pid: pidOf(positionals, help), json: values.json === true, help };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(error.message);
    return USAGE_STATUS;
  }
  if (args.help) {
    const { helpText } = await import('./help.js');
    printOut(helpText(command) ?? '');
    return 0;
  }
  return args;
}
