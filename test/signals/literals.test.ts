// Signal numbers are written only in lib/signals.ts: everywhere else a signal is a named constant
// or a named set from there. This reads every lib/ source with the TypeScript parser and fails on a
// number 1..64 standing where a signal goes: passed to a call named for signals or kills, compared
// with a name that says signal, given to a name that says signal, or added to 128 (a shell status).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LIB = join(root, 'lib');
/** The one file allowed to spell signal numbers. */
const TABLE = join(LIB, 'signals.ts');

/** Names that say "this is a signal" (sig, signo, signal, killSignal, SIGTERM ...). */
const SIGNAL_NAME = /^(sig|signo|signum|signal|SIG[A-Z]+)$|Signals?$|_SIGNALS?$/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(path));
    else if (/\.c?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function isSignalNumber(node: ts.Node): node is ts.NumericLiteral {
  if (!ts.isNumericLiteral(node) || !/^\d+$/.test(node.text)) return false;
  const n = Number(node.text);
  return n >= 1 && n <= 64;
}

/** The name a node is called by: identifier, property name, or the called name of a call. */
function nameOf(node: ts.Node | undefined): string {
  if (node === undefined) return '';
  if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) return nameOf(node.argumentExpression);
  if (ts.isStringLiteral(node)) return node.text;
  if (ts.isCallExpression(node)) return nameOf(node.expression);
  if (ts.isParenthesizedExpression(node)) return nameOf(node.expression);
  return '';
}

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
]);

/** The expression a literal's value flows into unchanged (through ?:, ??, ||, parentheses, arrays, casts). */
function carrier(node: ts.Node): ts.Node {
  let at = node;
  for (;;) {
    const parent = at.parent;
    if (ts.isParenthesizedExpression(parent) || ts.isArrayLiteralExpression(parent) || ts.isAsExpression(parent) ||
      ts.isSatisfiesExpression(parent) || (ts.isConditionalExpression(parent) && parent.condition !== at) ||
      (ts.isBinaryExpression(parent) && (parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken ||
        parent.operatorToken.kind === ts.SyntaxKind.BarBarToken))) {
      at = parent;
      continue;
    }
    return at;
  }
}

/** Inside `(n) => n !== 9` passed to a method of something named for signals (signals.filter(...)). */
function inSignalCallback(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node; at !== undefined; at = at.parent) {
    if ((ts.isArrowFunction(at) || ts.isFunctionExpression(at)) && ts.isCallExpression(at.parent)) {
      const callee = at.parent.expression;
      if (ts.isPropertyAccessExpression(callee) && /sig/i.test(callee.expression.getText())) return true;
    }
    if (ts.isFunctionDeclaration(at) || ts.isMethodDeclaration(at)) return false;
  }
  return false;
}

/** Signal names as a comment would write them, with or without SIG (TSTP, SIGPIPE, RTMIN+3). */
const NAME_IN_COMMENT = /\b(SIG)?(HUP|INT|QUIT|ILL|TRAP|ABRT|BUS|FPE|KILL|USR1|SEGV|USR2|PIPE|ALRM|TERM|STKFLT|CHLD|CONT|STOP|TSTP|TTIN|TTOU|URG|XCPU|XFSZ|VTALRM|PROF|WINCH|PWR|SYS|RTMIN|RTMAX)\b/;

/** A comment on the literal's line (after it, or right before it) names a signal: `[13 /* SIGPIPE *\/]`, `[20, 21] // TSTP, TTIN`. */
function commentNamesSignal(literal: ts.NumericLiteral, text: string): boolean {
  const lineEnd = text.indexOf('\n', literal.end);
  const rest = text.slice(literal.end, lineEnd === -1 ? text.length : lineEnd);
  const comments = [...(ts.getLeadingCommentRanges(text, literal.pos) ?? []).map((c) => text.slice(c.pos, c.end))];
  const trailing = /\/\/.*$|\/\*.*?\*\//.exec(rest);
  if (trailing !== null) comments.push(trailing[0]);
  return comments.some((c) => NAME_IN_COMMENT.test(c));
}

/** Why a numeric literal stands for a signal, or null when it does not. */
function signalUse(literal: ts.NumericLiteral, text: string): string | null {
  if (commentNamesSignal(literal, text)) return 'commented as a signal';
  const tuple = literal.parent;
  if (ts.isArrayLiteralExpression(tuple) && tuple.elements.some((e) => ts.isStringLiteral(e) && /^SIG/.test(e.text))) return 'paired with a signal name';
  const flow = carrier(literal);
  const parent = flow.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(flow as ts.Expression)) {
    const callee = nameOf(parent.expression);
    if (/sig|kill/i.test(callee) || /stop/i.test(callee)) return `argument of ${callee}()`;
  }
  if (ts.isBinaryExpression(parent)) {
    const other = parent.left === flow ? parent.right : parent.left;
    if (COMPARISONS.has(parent.operatorToken.kind) && (SIGNAL_NAME.test(nameOf(other)) || inSignalCallback(parent))) {
      return `compared with ${other.getText()}`;
    }
    if (parent.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isNumericLiteral(other) && other.text === '128') return '128 + a signal number';
    if (parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && SIGNAL_NAME.test(nameOf(parent.left))) return `assigned to ${nameOf(parent.left)}`;
  }
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) ||
    ts.isParameter(parent)) && parent.initializer === flow && SIGNAL_NAME.test(nameOf(parent.name))) {
    return `value of ${nameOf(parent.name)}`;
  }
  if (ts.isCaseClause(parent) && parent.expression === flow && /sig/i.test(parent.parent.parent.expression.getText())) return 'switch case on a signal';
  return null;
}

/** Every signal-number literal in one source text, as 'file:line: 9 (why)'. */
function findSignalLiterals(fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (isSignalNumber(node)) {
      const why = signalUse(node, text);
      if (why !== null) found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.text} (${why})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test('the finder catches every way a signal number was written before the named sets', () => {
  const samples = [
    'const SIGKILL = 9;',
    'if (sig !== 9 && sig !== SIGCONT) signalCgroup(dir, SIGCONT);',
    'signalCgroup(dir, 9);',
    'this.kill(9);',
    'await this.#stopProcess(9, 0);',
    'const defaults = checkSignalList(x, "d").filter((n) => n !== 9 && n !== 19);',
    'const killSignal = options.killSignal === undefined ? 15 : parseSignal(options.killSignal);',
    'const NODE_IGNORED = [13 /* SIGPIPE */, 25 /* SIGXFSZ */];',
    'const defaultSignals = [13, 25];',
    'const TERMINAL_STOPS = new Set([20, 21, 22]); // TSTP, TTIN, TTOU',
    'const KILLED = 128 + 9;',
    'return result.signal === signalName(9) ? KILLED : TIMED_OUT;',
    'const NEVER_REWRITTEN = new Map([[9, "SIGKILL"], [17, "SIGCHLD"]]);',
    'const o = { signal: 15 };',
  ];
  for (const sample of samples) assert.notDeepEqual(findSignalLiterals('sample.ts', sample), [], sample);
  // Numbers that are not signals stay allowed.
  for (const sample of ['const fds = [0, 1, 2];', 'stdio[1] = x;', 'if (fd < 3) continue;', 'const copies = 1;', 'text.slice(3);']) {
    assert.deepEqual(findSignalLiterals('sample.ts', sample), [], sample);
  }
});

test('no signal number is written as a literal outside lib/signals.ts', () => {
  const found: string[] = [];
  for (const path of sources(LIB)) {
    if (path === TABLE) continue;
    found.push(...findSignalLiterals(relative(root, path), readFileSync(path, 'utf8')));
  }
  assert.deepEqual(found, [], `use the named constants and sets of lib/signals.ts:\n${found.join('\n')}`);
});
