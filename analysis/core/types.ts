import * as tsutils from 'ts-api-utils';
import ts from 'typescript';

import { getPackageNameOfPath } from './declaration-origin.js';

/**
 * Type questions every analysis asks: is a value missing, a promise, the platform's own type, and
 * how to name a type in a message. `any` and `unknown` never answer yes: a rule that guesses about
 * untyped values floods JavaScript-heavy code with reports nobody can act on.
 */

export function isNullish(type: ts.Type): boolean {
  return tsutils.isTypeFlagSet(type, ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void);
}

export function isAnyOrUnknown(type: ts.Type): boolean {
  return tsutils.isTypeFlagSet(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown);
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

/** A short readable name for a type in a message: `FileHandle`, `PoolClient`. */
export function getTypeDisplayName(type: ts.Type, checker: ts.TypeChecker): string {
  const parts = getNonNullishConstituents(type);
  const show = (shown: ts.Type): string => checker.typeToString(shown, undefined, ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope);
  if (parts?.length === 1 && parts[0] !== undefined) {
    return show(parts[0]);
  }
  if (type.isUnion() && type.aliasSymbol === undefined) {
    // The checker orders a union's members by when it first saw each type, which depends on what
    // else was checked before: spelled out in a fixed order, a message is the same on every run.
    const members = type.types.map(show);
    const isNullish = (member: string): boolean => member === 'undefined' || member === 'null';
    return [...members.filter((member) => !isNullish(member)).sort(), ...members.filter(isNullish).sort().reverse()].join(' | ');
  }
  return show(type);
}

export interface NullishParts {
  undefined: boolean;
  null: boolean;
}

/**
 * Which of `undefined` (or `void`) and `null` the type can hold. A type parameter or indexed access
 * answers for its constraint; `any`, `unknown` and unconstrained type parameters answer "neither",
 * because a `!` on them is not a claim about a declared absence.
 */
export function getNullishParts(type: ts.Type): NullishParts {
  const parts: NullishParts = { undefined: false, null: false };
  const visit = (current: ts.Type, depth: number): void => {
    for (const constituent of tsutils.unionConstituents(current)) {
      const flags = constituent.flags;
      if ((flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0) {
        parts.undefined = true;
      } else if ((flags & ts.TypeFlags.Null) !== 0) {
        parts.null = true;
      } else if ((flags & ts.TypeFlags.Instantiable) !== 0 && depth < 5) {
        const constraint = constituent.getConstraint();
        if (constraint !== undefined && constraint !== constituent) {
          visit(constraint, depth + 1);
        }
      }
    }
  };
  visit(type, 0);
  return parts;
}

/**
 * Which of `undefined` and `null` a write to `target` (the left of `=`, or a declared name) may
 * store, by the type the write accepts: that is the declared type of a variable, and under
 * `exactOptionalPropertyTypes` an optional property's type without `undefined`. `any` and
 * `unknown` answer "neither": they accept a missing value without saying that readers expect one.
 */
export function getAcceptedNullishParts(target: ts.Node, checker: ts.TypeChecker): NullishParts {
  return getNullishPartsAcceptedBy(checker.getTypeAtLocation(target), checker);
}

/** {@link getAcceptedNullishParts} of a type: whether it takes `undefined` and `null`. */
export function getNullishPartsAcceptedBy(accepted: ts.Type, checker: ts.TypeChecker): NullishParts {
  if (isAnyOrUnknown(accepted)) {
    return { undefined: false, null: false };
  }
  return {
    undefined: checker.isTypeAssignableTo(checker.getUndefinedType(), accepted),
    null: checker.isTypeAssignableTo(checker.getNullType(), accepted),
  };
}
