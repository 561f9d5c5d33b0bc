import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { isAbortSignalType } from '../../../analysis/signals/abort-signal-type.js';
import { createProgramFor, findNode } from '../resource-test-program.js';

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
