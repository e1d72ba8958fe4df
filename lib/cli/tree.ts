// procctl tree [PID] [--json]: the process tree with pgid/sid/state; leaders, zombies, orphans.
import { type TreeNode, processTree, readProcessTable } from '../proc/tree.js';
import { UsageError, parseCommandLine, parsePidArg } from './args.js';
import { MISSING_STATUS, parseQueryCommand } from './help.js';
import { type Palette, colorEnabled, isTerminal, palette, printError, printOut } from './output.js';

/** The marks of one process as plain words; painted later, so widths count characters. */
function marksOf(node: TreeNode): string[] {
  const out: string[] = [];
  if (node.sessionLeader) out.push('session leader');
  else if (node.groupLeader) out.push('group leader');
  if (node.zombie) out.push('zombie');
  if (node.orphan) out.push('orphan');
  return out;
}

function paintMark(mark: string, colors: Palette): string {
  if (mark === 'zombie') return colors.red(mark);
  if (mark === 'orphan') return colors.yellow(mark);
  return colors.cyan(mark);
}

function truncate(text: string, width: number | undefined): string {
  if (width === undefined || text.length <= width) return text;
  return width > 1 ? `${text.slice(0, width - 1)}…` : '';
}

const HEADER = `${'PID'.padStart(7)} ${'PGID'.padStart(7)} ${'SID'.padStart(7)} S  COMMAND\n`;

/**
 * One line per process: pid, pgid, sid and state in columns, then the command indented by its
 * depth and its marks. `width` (a terminal's) cuts long commands so each process stays one line.
 */
export function renderTree(root: TreeNode, colors: Palette, width?: number): string {
  let out = HEADER;
  const visit = (node: TreeNode, indent: string, branch: string): void => {
    const ids = `${String(node.pid).padStart(7)} ${String(node.pgid).padStart(7)} ${String(node.sid).padStart(7)}`;
    const marks = marksOf(node);
    const marksText = marks.length > 0 ? `  [${marks.join(', ')}]` : '';
    const used = ids.length + 4 + indent.length + branch.length + marksText.length;
    const command = truncate(node.cmd, width === undefined ? undefined : Math.max(10, width - used));
    const state = node.state === 'Z' ? colors.red(node.state) : node.state;
    const painted = marks.length > 0 ? `  [${marks.map((m) => paintMark(m, colors)).join(', ')}]` : '';
    out += `${ids} ${state}  ${indent}${branch}${command}${painted}\n`;
    const childIndent = indent + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    node.children.forEach((child, i) => visit(child, childIndent, i === node.children.length - 1 ? '└─ ' : '├─ '));
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
  const args = parseQueryCommand('tree', argv, parse);
  if (typeof args === 'number') return args;
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
  printOut(renderTree(root, palette(colorEnabled()), isTerminal(1) ? process.stdout.columns : undefined));
  return 0;
}
