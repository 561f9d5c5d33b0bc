import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { getAwaitedType, getDisposalKind, getTypeDisplayName, isAbortSignalType, isThenable } from '../../analysis/types.js';
import { createProgramFor, findNode } from './resource-test-program.js';

function typeOf(code: string, name: string): { type: ts.Type; checker: ts.TypeChecker; node: ts.Node } {
  const { program, sourceFile } = createProgramFor(code);
  const checker = program.getTypeChecker();
  const declaration = findNode(sourceFile, ts.isVariableDeclaration, name);
  return { type: checker.getTypeAtLocation(declaration.name), checker, node: declaration.name };
}

const prelude = `import type { FileHandle } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
declare class Both implements Disposable, AsyncDisposable { [Symbol.dispose](): void; [Symbol.asyncDispose](): Promise<void>; }
declare class Plain { close(): void; }
`;

describe('getDisposalKind', () => {
  it.each([
    ['handle: FileHandle', 'async'],
    ['maybe: FileHandle | undefined', 'async'],
    ['child: ChildProcess', 'sync'],
    ['both: Both', 'async'],
    ['mixed: ChildProcess | FileHandle', 'async'],
    ['branded: Plain & Disposable', 'sync'],
    ['plain: Plain', undefined],
    ['partly: Plain | FileHandle', undefined],
    ['untyped: any', undefined],
    ['unknownValue: unknown', undefined],
    ['nothing: undefined', undefined],
  ])('%s → %s', (declaration, expected) => {
    const name = declaration.split(':')[0] ?? '';
    const { type, checker } = typeOf(`${prelude}declare const ${declaration};`, name);
    expect(getDisposalKind(type, checker)).toBe(expected);
  });

  it('unwraps Promise<FileHandle> once awaited', () => {
    const { type, checker, node } = typeOf(`${prelude}declare const pending: Promise<FileHandle>;`, 'pending');
    expect(getDisposalKind(type, checker)).toBeUndefined();
    expect(isThenable(type, node, checker)).toBe(true);
    expect(getDisposalKind(getAwaitedType(type, checker), checker)).toBe('async');
  });
});

describe('isThenable', () => {
  it('is false for any, which never counts', () => {
    const { type, checker, node } = typeOf('declare const value: any;', 'value');
    expect(isThenable(type, node, checker)).toBe(false);
  });
});

describe('isAbortSignalType', () => {
  const isSignal = (code: string): boolean => {
    const { program, sourceFile } = createProgramFor(code);
    const declaration = findNode(sourceFile, ts.isVariableDeclaration, 's');
    return isAbortSignalType(program.getTypeChecker().getTypeAtLocation(declaration.name), program);
  };
  it('accepts the platform AbortSignal, possibly missing, and rejects others', () => {
    expect(isSignal('declare const s: AbortSignal;')).toBe(true);
    expect(isSignal('declare const s: AbortSignal | undefined;')).toBe(true);
    expect(isSignal('declare const s: AbortController;')).toBe(false);
    expect(isSignal('declare const s: any;')).toBe(false);
  });
  it('does not take a class of the same name for the platform type', () => {
    expect(isSignal('class AbortSignal { aborted = false; }\nexport const s = new AbortSignal();')).toBe(false);
  });
});

describe('getTypeDisplayName', () => {
  it('drops the nullish part of a union', () => {
    const { type, checker } = typeOf(`${prelude}declare const maybe: FileHandle | undefined;`, 'maybe');
    expect(getTypeDisplayName(type, checker)).toBe('FileHandle');
  });
});
