import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { isReassigned } from '../../../analysis/core/is-reassigned.js';
import { createProgramFor, findNode } from '../resource-test-program.js';

/** Whether `handle`, declared first in `code`, is written again anywhere in the file. */
function handleIsReassigned(code: string): boolean {
  const { program, sourceFile } = createProgramFor(code);
  const checker = program.getTypeChecker();
  const declaration = findNode(sourceFile, ts.isVariableDeclaration, 'handle');
  const symbol = checker.getSymbolAtLocation(declaration.name);
  if (symbol === undefined) {
    throw new Error('no symbol for handle');
  }
  return isReassigned(symbol, sourceFile, checker);
}

describe('isReassigned', () => {
  it.each([
    ['let handle = 1;\nhandle = 2;', true],
    ['let handle = 1;\nhandle += 2;', true],
    ['let handle = 1;\nhandle++;', true],
    ['let handle = 1;\n[handle] = [2];', true],
    ['let handle = 1;\n({ handle } = { handle: 2 });', true],
    ['let handle = 1;\n({ other: handle } = { other: 2 });', true],
    ['let handle = 1;\nfor (handle of [2, 3]) {}', true],
    ['let handle = 1;\nconsole.log(handle + 1);', false],
    ['let handle = 1;\nconst copy = { handle };\nconsole.log(copy);', false],
    ['let handle = 1;\nfunction inner() { let handle = 2; handle = 3; return handle; }\ninner();', false],
    ['let handle = { count: 1 };\nhandle.count = 2;', false],
  ])('%s → %s', (code, expected) => {
    expect(handleIsReassigned(code)).toBe(expected);
  });
});
