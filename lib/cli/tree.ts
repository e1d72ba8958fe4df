// procctl tree [PID] [--json]: the process tree with pgid/sid/state; leaders, zombies, orphans.
import { type TreeNode, processTree, readProcessTable } from '../proc/tree.js';
import { UsageError, parsePidArg } from './args.js';
import { parseQueryCommand } from './query-args.js';
import { MISSING_STATUS } from './status.js';
import { type Palette, colorEnabled, isTerminal, palette, printError, printOut, printable } from './output.js';

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
 * Levels of tree drawing shown; deeper processes stay at this indentation and carry their depth
 * (`⋯1234 `), so a chain thousands of processes deep prints in linear, not quadratic, space.
 */
export const MAX_DRAWN_DEPTH = 64;

interface RenderTask {
  node: TreeNode;
  indent: string;
  branch: string;
  depth: number;
}

/**
 * One line per process: pid, pgid, sid and state in columns, then the command indented by its
 * depth and its marks. `width` (a terminal's) cuts long commands so each process stays one line.
 * Commands are made printable (control characters become '?', as ps shows them). Walks with an
 * explicit stack: a deep chain must not exhaust the JavaScript stack.
 */
export function renderTree(root: TreeNode, colors: Palette, width?: number): string {
  const lines: string[] = [HEADER];
  const pending: RenderTask[] = [{ node: root, indent: '', branch: '', depth: 0 }];
  for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
    const { node, indent, branch, depth } = task;
    const ids = `${String(node.pid).padStart(7)} ${String(node.pgid).padStart(7)} ${String(node.sid).padStart(7)}`;
    const marks = marksOf(node);
    const marksText = marks.length > 0 ? `  [${marks.join(', ')}]` : '';
    const deep = depth > MAX_DRAWN_DEPTH ? `⋯${depth} ` : '';
    const used = ids.length + 4 + indent.length + branch.length + deep.length + marksText.length;
    const command = truncate(printable(node.cmd), width === undefined ? undefined : Math.max(10, width - used));
    const state = node.state === 'Z' ? colors.red(node.state) : node.state;
    const painted = marks.length > 0 ? `  [${marks.map((m) => paintMark(m, colors)).join(', ')}]` : '';
    lines.push(`${ids} ${state}  ${indent}${branch}${deep}${command}${painted}\n`);
    const childIndent = depth >= MAX_DRAWN_DEPTH ? indent : indent + (branch === '' ? '' : branch === '└─ ' ? '   ' : '│  ');
    for (let i = node.children.length - 1; i >= 0; i--) {
      const branchOf = i === node.children.length - 1 ? '└─ ' : '├─ ';
      pending.push({ node: node.children[i]!, indent: childIndent, branch: branchOf, depth: depth + 1 });
    }
  }
  return lines.join('');
}

const TREE_FIELDS = ['pid', 'ppid', 'pgid', 'sid', 'state', 'cmd', 'sessionLeader', 'groupLeader', 'zombie', 'orphan'] as const;

/**
 * The tree as JSON: the same text as JSON.stringify(root, null, pretty ? 2 : 0), written with an
 * explicit stack (JSON.stringify recurses, and overflows on chains a few thousand deep). Compact
 * output stays linear in the number of processes; pretty output indents by depth.
 */
export function treeJson(root: TreeNode, pretty: boolean): string {
  const newline = pretty ? '\n' : '';
  const colon = pretty ? ': ' : ':';
  const pad = (level: number): string => (pretty ? '  '.repeat(level) : '');
  const parts: string[] = [];
  const pending: Array<{ node: TreeNode; depth: number } | string> = [{ node: root, depth: 0 }];
  for (let task = pending.pop(); task !== undefined; task = pending.pop()) {
    if (typeof task === 'string') {
      parts.push(task);
      continue;
    }
    const { node, depth } = task;
    const field = pad(2 * depth + 1);
    parts.push(`{${newline}`);
    for (const key of TREE_FIELDS) parts.push(`${field}"${key}"${colon}${JSON.stringify(node[key])},${newline}`);
    if (node.children.length === 0) {
      parts.push(`${field}"children"${colon}[]${newline}${pad(2 * depth)}}`);
      continue;
    }
    parts.push(`${field}"children"${colon}[${newline}`);
    pending.push(`${newline}${field}]${newline}${pad(2 * depth)}}`);
    for (let i = node.children.length - 1; i >= 0; i--) {
      pending.push({ node: node.children[i]!, depth: depth + 1 });
      pending.push(i === 0 ? pad(2 * depth + 2) : `,${newline}${pad(2 * depth + 2)}`);
    }
  }
  return parts.join('');
}

/** PID: at most one; the tree of PID 1 without it. */
function rootPid(positionals: string[]): number {
  if (positionals.length > 1) throw new UsageError(`tree: unexpected argument '${positionals[1]}'; usage: procctl tree [PID] [--json]`);
  return positionals[0] === undefined ? 1 : parsePidArg(positionals[0]);
}

export async function main(argv: string[]): Promise<number> {
  const args = await parseQueryCommand('tree', argv, rootPid);
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
    // Indented for a person at a terminal; compact for a program (indentation grows with depth).
    printOut(`${treeJson(root, isTerminal(1))}\n`);
    return 0;
  }
  // Cut long command lines to the terminal's width; never when writing to a pipe or file.
  printOut(renderTree(root, palette(colorEnabled()), isTerminal(1) ? process.stdout.columns : undefined));
  return 0;
}
