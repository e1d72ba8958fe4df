// procctl tree [PID] [--json]: the process tree with pgid/sid/state; leaders, zombies, orphans.
import { isatty } from 'node:tty';
import { type ProcessTable, type TreeNode, marksOf, processTree, readProcessTable } from '../proc/tree.js';
import { UsageError, parseCommandLine, parsePidArg } from './args.js';
import { helpText } from './help.js';
import { type Palette, colorEnabled, palette, printError, printOut } from './output.js';

const USAGE_STATUS = 2;
const MISSING_STATUS = 1;

function markText(node: TreeNode, table: ProcessTable, colors: Palette): string {
  const entry = table.byPid.get(node.pid);
  if (entry === undefined) return '';
  const marks = marksOf(entry, table);
  const out: string[] = [];
  if (marks.sessionLeader) out.push(colors.cyan('session leader'));
  else if (marks.groupLeader) out.push(colors.cyan('group leader'));
  if (marks.zombie) out.push(colors.red('zombie'));
  if (marks.orphan) out.push(colors.yellow('orphan'));
  return out.length > 0 ? `  [${out.join(', ')}]` : '';
}

function truncate(text: string, width: number | undefined): string {
  if (width === undefined || text.length <= width) return text;
  return width > 1 ? `${text.slice(0, width - 1)}…` : '';
}

/** One line per process: ids in columns, then the command indented by its depth. */
export function renderTree(root: TreeNode, table: ProcessTable, colors: Palette, width?: number): string {
  let out = `${'PID'.padStart(7)} ${'PGID'.padStart(7)} ${'SID'.padStart(7)} S  COMMAND\n`;
  const visit = (node: TreeNode, prefix: string, branch: string): void => {
    const ids = `${String(node.pid).padStart(7)} ${String(node.pgid).padStart(7)} ${String(node.sid).padStart(7)} ${node.state} `;
    const marks = markText(node, table, colors);
    const used = ids.length + 1 + prefix.length + branch.length + marks.replace(/\x1b\[\d+m/g, '').length;
    const room = width === undefined ? undefined : Math.max(10, width - used);
    const state = node.state === 'Z' ? colors.red(node.state) : node.state;
    out += `${ids.slice(0, -2)}${state}  ${prefix}${branch}${truncate(node.cmd, room)}${marks}\n`;
    const childPrefix = prefix + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    node.children.forEach((child, i) => visit(child, childPrefix, i === node.children.length - 1 ? '└─ ' : '├─ '));
  };
  visit(root, '', '');
  return out;
}

interface TreeArgs {
  pid: number;
  json: boolean;
  help: boolean;
}

function parse(argv: string[]): TreeArgs {
  const { values, positionals } = parseCommandLine(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (positionals.length > 1) throw new UsageError(`tree: unexpected argument '${positionals[1]}'; usage: procctl tree [PID] [--json]`);
  const pid = positionals[0] === undefined ? 1 : parsePidArg(positionals[0]);
  return { pid, json: values.json === true, help: values.help === true };
}

export async function main(argv: string[]): Promise<number> {
  let args: TreeArgs;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(error.message);
    return USAGE_STATUS;
  }
  if (args.help) {
    printOut(helpText('tree') ?? '');
    return 0;
  }
  const table = readProcessTable();
  let root: TreeNode;
  try {
    root = processTree(args.pid, table);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
    printError(`no such process: ${args.pid}`);
    return MISSING_STATUS;
  }
  if (args.json) {
    printOut(`${JSON.stringify(root, null, 2)}\n`);
    return 0;
  }
  // Cut long command lines to the terminal's width; never when writing to a pipe or file.
  printOut(renderTree(root, table, palette(colorEnabled()), isatty(1) ? process.stdout.columns : undefined));
  return 0;
}
