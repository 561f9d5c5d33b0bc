import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { getPackageNameOfPath } from './declaration-origin.js';

/**
 * Type questions shared by the rules and the codemods: is a value disposable, how, is it a
 * promise, is it an `AbortSignal`. `any` and `unknown` never answer yes: a rule that guesses
 * about untyped values floods JavaScript-heavy code with reports nobody can act on.
 */

/** How a value is disposed: `[Symbol.asyncDispose]` wins when a type has both. */
export type DisposalKind = 'sync' | 'async';

function isNullish(type: ts.Type): boolean {
  return tsutils.isTypeFlagSet(type, ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void);
}

function isAnyOrUnknown(type: ts.Type): boolean {
  return tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown);
}

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
 * The non-nullish parts of a union (`FileHandle | undefined` is a file handle that may be
 * missing), or `undefined` when the type is `any`/`unknown` or nothing but nullish.
 */
export function getNonNullishConstituents(type: ts.Type): ts.Type[] | undefined {
  const parts = tsutils.unionConstituents(type).filter((part) => !isNullish(part));
  if (parts.length === 0 || parts.some(isAnyOrUnknown)) {
    return undefined;
  }
  return parts;
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

/** Whether `type` is promise-like (has a callable `then`), the question `await` asks. */
export function isThenable(type: ts.Type, node: ts.Node, checker: ts.TypeChecker): boolean {
  if (isAnyOrUnknown(type)) {
    return false;
  }
  return tsutils.isThenableType(checker, node, type);
}

/** The type an `await` of a value of `type` yields (`Promise<T>` → `T`, otherwise `type`). */
export function getAwaitedType(type: ts.Type, checker: ts.TypeChecker): ts.Type {
  return checker.getAwaitedType(type) ?? type;
}

/**
 * Whether `type` is one of the platform's own types called `name` (`AbortSignal`,
 * `AbortController`): declared by TypeScript's lib or by `@types/node`, so that a user's class of
 * the same name does not pass for it. Global augmentations add declarations but keep the lib's.
 */
export function isPlatformType(type: ts.Type, name: string, program: ts.Program): boolean {
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  if (symbol?.getName() !== name) {
    return false;
  }
  return (symbol.declarations ?? []).some((declaration) => {
    const sourceFile = declaration.getSourceFile();
    return program.isSourceFileDefaultLibrary(sourceFile) || getPackageNameOfPath(sourceFile.fileName) === 'node';
  });
}

/**
 * Whether a value of `type` is the platform's `AbortSignal`, possibly missing (`AbortSignal |
 * undefined`, `AbortSignal | null`): a forwarded optional signal is still the caller's way to
 * cancel. `any` is not: it would make every untyped argument look like a signal.
 */
export function isAbortSignalType(type: ts.Type, program: ts.Program): boolean {
  const parts = getNonNullishConstituents(type);
  return parts?.every((part) => isPlatformType(part, 'AbortSignal', program)) === true;
}

/** A short readable name for a type in a message: `FileHandle`, `PoolClient`. */
export function getTypeDisplayName(type: ts.Type, checker: ts.TypeChecker): string {
  const parts = getNonNullishConstituents(type);
  const shown = parts?.length === 1 && parts[0] !== undefined ? parts[0] : type;
  return checker.typeToString(shown, undefined, ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
}
