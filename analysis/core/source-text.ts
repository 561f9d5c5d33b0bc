import path from 'node:path';
import ts from 'typescript';

/**
 * How code is quoted and placed in messages and edits: one line of it, its line number, the indent
 * and line ending a new line must use to look like the file's own.
 */

/** `text` on one line, cut at 60 characters: long expressions would drown a message. */
export function shorten(text: string): string {
  const singleLine = text.replace(/\s+/g, ' ').trim();
  return singleLine.length > 60 ? `${singleLine.slice(0, 57)}…` : singleLine;
}

/** The 1-based line `node` starts on (after its leading trivia). */
export function lineOf(node: ts.Node): number {
  const sourceFile = node.getSourceFile();
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

/** `file.ts:12:5`, for refusals and reasons that point at another place. */
export function describePosition(node: ts.Node): string {
  const sourceFile = node.getSourceFile();
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile));
  return `${path.basename(sourceFile.fileName)}:${String(line + 1)}:${String(character + 1)}`;
}

/** The spaces and tabs before `node` on its line, which a statement inserted before it repeats. */
export function indentOf(sourceFile: ts.SourceFile, node: ts.Node): string {
  const start = node.getStart(sourceFile);
  const lineStart = sourceFile.getPositionOfLineAndCharacter(sourceFile.getLineAndCharacterOfPosition(start).line, 0);
  return /^[ \t]*/.exec(sourceFile.text.slice(lineStart, start))?.[0] ?? '';
}

/** The file's own line ending, so an edit does not mix `\r\n` into a `\n` file or the reverse. */
export function newlineOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** How a file writes the statements a rewrite adds to it, read from the file itself. */
export interface StatementStyle {
  /** The quote most of the file's string literals use. */
  quote: "'" | '"';
  /** `false` in a file that leaves semicolons to automatic insertion. */
  semicolons: boolean;
  /** One level of indentation: a tab, or the smallest step of spaces the file uses. */
  indentUnit: string;
}

const statementStyles = new WeakMap<ts.SourceFile, StatementStyle>();

/**
 * The file's own style, so that an added `const` and `if` look like their neighbours: a
 * semicolon-free file gets no semicolons, a tab-indented file gets tabs. Counted over the lines
 * and statements of the file; a file with no evidence either way gets semicolons and two spaces.
 */
export function detectStatementStyle(sourceFile: ts.SourceFile): StatementStyle {
  const known = statementStyles.get(sourceFile);
  if (known !== undefined) return known;
  let withSemicolon = 0;
  let withoutSemicolon = 0;
  let singleQuoted = 0;
  let doubleQuoted = 0;
  const text = sourceFile.text;
  const visit = (node: ts.Node): void => {
    // JSX attributes take double quotes by convention, whatever the code around them uses.
    if (ts.isStringLiteral(node) && !ts.isJsxAttribute(node.parent)) {
      if (text[node.getStart(sourceFile)] === "'") singleQuoted += 1;
      else doubleQuoted += 1;
    }
    // Statements whose end is their own last token; blocks, functions and classes end with `}`.
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node) || ts.isThrowStatement(node) || ts.isImportDeclaration(node)) {
      if (text[node.end - 1] === ';') withSemicolon += 1;
      else withoutSemicolon += 1;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  let tabLines = 0;
  const spaceCounts = new Map<number, number>();
  for (const line of text.split(/\r?\n/)) {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    const rest = line.slice(indent.length);
    // JSDoc continuation lines (` * …`) sit one space in and say nothing about the indent step.
    if (indent.length === 0 || rest.length === 0 || rest.startsWith('*')) continue;
    if (indent.startsWith('\t')) tabLines += 1;
    else spaceCounts.set(indent.length, (spaceCounts.get(indent.length) ?? 0) + 1);
  }
  const spaceLines = [...spaceCounts.values()].reduce((sum, count) => sum + count, 0);
  const smallestStep = Math.min(...[...spaceCounts.keys()].filter((count) => count >= 2));
  const indentUnit = tabLines > spaceLines ? '\t' : Number.isFinite(smallestStep) ? ' '.repeat(Math.min(smallestStep, 8)) : '  ';
  // Without single-quoted strings to go by, double quotes, as JSON and most formatters write them.
  const style: StatementStyle = { quote: singleQuoted > doubleQuoted ? "'" : '"', semicolons: withSemicolon >= withoutSemicolon, indentUnit };
  statementStyles.set(sourceFile, style);
  return style;
}

/** `statement` as the file writes it: its trailing `;` dropped in a semicolon-free file. */
export function inStatementStyle(statement: string, style: StatementStyle): string {
  return !style.semicolons && statement.endsWith(';') ? statement.slice(0, -1) : statement;
}

/**
 * `text` as a string literal in the file's quote, or in the other one when that needs fewer
 * escapes (`"findParent('root') is null"`), as formatters choose.
 */
export function quoteString(text: string, style: StatementStyle): string {
  const doubleQuoted = JSON.stringify(text);
  const quote = style.quote === "'" && text.includes("'") && !text.includes('"') ? '"' : style.quote;
  if (quote === '"') return doubleQuoted;
  return `'${doubleQuoted.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}
