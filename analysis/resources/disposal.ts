import * as tsutils from 'ts-api-utils';
import type ts from 'typescript';

import { getNonNullishConstituents } from '../core/types.js';

/** How a value is disposed: `[Symbol.asyncDispose]` wins when a type has both. */
export type DisposalKind = 'sync' | 'async';

/** The `[Symbol.dispose]` or `[Symbol.asyncDispose]` member of one non-union type, if it has one. */
export function getDisposalMember(
  type: ts.Type,
  checker: ts.TypeChecker,
): { kind: DisposalKind; symbol: ts.Symbol } | undefined {
  const asyncMember = tsutils.getWellKnownSymbolPropertyOfType(type, 'asyncDispose', checker);
  if (asyncMember !== undefined) {
    return { kind: 'async', symbol: asyncMember };
  }
  const syncMember = tsutils.getWellKnownSymbolPropertyOfType(type, 'dispose', checker);
  if (syncMember !== undefined) {
    return { kind: 'sync', symbol: syncMember };
  }
  return undefined;
}

/**
 * How values of `type` are disposed, or `undefined` when they are not disposable. Every
 * non-nullish member of a union must be disposable; one member of an intersection is enough.
 * A union mixing sync and async members needs `await using`, so it answers `async`.
 */
export function getDisposalKind(type: ts.Type, checker: ts.TypeChecker): DisposalKind | undefined {
  const parts = getNonNullishConstituents(type);
  if (parts === undefined) {
    return undefined;
  }
  let result: DisposalKind = 'sync';
  for (const part of parts) {
    const member = getDisposalMemberOfConstituent(part, checker);
    if (member === undefined) {
      return undefined;
    }
    if (member.kind === 'async') {
      result = 'async';
    }
  }
  return result;
}

/** Like {@link getDisposalMember}, looking into every part of an intersection. */
export function getDisposalMemberOfConstituent(
  type: ts.Type,
  checker: ts.TypeChecker,
): { kind: DisposalKind; symbol: ts.Symbol } | undefined {
  for (const part of tsutils.intersectionConstituents(type)) {
    const member = getDisposalMember(part, checker);
    if (member !== undefined) {
      return member;
    }
  }
  return undefined;
}

/** `Symbol.dispose`/`Symbol.asyncDispose` members of every non-nullish part of `type`. */
export function getDisposalMembers(type: ts.Type, checker: ts.TypeChecker): ts.Symbol[] {
  const members: ts.Symbol[] = [];
  for (const part of getNonNullishConstituents(type) ?? []) {
    const member = getDisposalMemberOfConstituent(part, checker);
    if (member !== undefined) {
      members.push(member.symbol);
    }
  }
  return members;
}
