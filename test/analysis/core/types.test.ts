import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { getTypeDisplayName, isThenable } from '../../../analysis/core/types.js';
import { createProgramFor, findNode } from '../resource-test-program.js';

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

describe('isThenable', () => {
  it('is false for any, which never counts', () => {
    const { type, checker, node } = typeOf('declare const value: any;', 'value');
    expect(isThenable(type, node, checker)).toBe(false);
  });
});

describe('getTypeDisplayName', () => {
  it('drops the nullish part of a union', () => {
    const { type, checker } = typeOf(`${prelude}declare const maybe: FileHandle | undefined;`, 'maybe');
    expect(getTypeDisplayName(type, checker)).toBe('FileHandle');
  });
});
