import { type TypeOrValueSpecifier, typeMatchesSomeSpecifier as typeMatchesSomeSpecifierOfTypescriptEslint } from '@typescript-eslint/type-utils';
import type ts from 'typescript';

import { getNonNullishConstituents } from './types.js';

export type { TypeOrValueSpecifier };

/**
 * Whether `type` is named by one of `specifiers`, typescript-eslint's `TypeOrValueSpecifier`s,
 * matched by typescript-eslint's own matcher so that an option reads and behaves as it does in
 * their rules. One difference, on purpose: a value that may be missing (`FileHandle | undefined`)
 * matches when every part that is not nullish does, since ignoring a type means ignoring it
 * wherever it may be absent too.
 */
export function typeMatchesSomeSpecifier(type: ts.Type, specifiers: readonly TypeOrValueSpecifier[], program: ts.Program): boolean {
  if (specifiers.length === 0) {
    return false;
  }
  const parts = getNonNullishConstituents(type);
  return parts?.every((part) => typeMatchesSomeSpecifierOfTypescriptEslint(part, [...specifiers], program)) === true;
}
