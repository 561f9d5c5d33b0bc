import path from 'node:path';
import type ts from 'typescript';

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
