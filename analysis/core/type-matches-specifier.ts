import ts from 'typescript';

import { getDeclarationOrigin, normalizeModuleName, originIsPackage } from './declaration-origin.js';
import { getNonNullishConstituents } from './types.js';

/**
 * typescript-eslint's `TypeOrValueSpecifier` shape, so options read the same as theirs:
 * a bare name, or `{ from: 'file' | 'lib' | 'package', name, path?, package? }`.
 */
export type TypeOrValueSpecifier =
  | string
  | { from: 'file'; name: string | string[]; path?: string }
  | { from: 'lib'; name: string | string[] }
  | { from: 'package'; name: string | string[]; package: string };

function getTypeNames(type: ts.Type): string[] {
  const names: string[] = [];
  const symbol = type.getSymbol();
  if (symbol !== undefined) {
    names.push(symbol.getName());
  }
  if (type.aliasSymbol !== undefined) {
    names.push(type.aliasSymbol.getName());
  }
  return names;
}

function getTypeDeclarations(type: ts.Type): ts.Declaration[] {
  return [...(type.getSymbol()?.getDeclarations() ?? []), ...(type.aliasSymbol?.getDeclarations() ?? [])];
}

function constituentMatches(type: ts.Type, specifier: TypeOrValueSpecifier, program: ts.Program): boolean {
  const names = getTypeNames(type);
  if (typeof specifier === 'string') {
    return names.includes(specifier);
  }
  const wanted = typeof specifier.name === 'string' ? [specifier.name] : specifier.name;
  if (!names.some((name) => wanted.includes(name))) {
    return false;
  }
  return getTypeDeclarations(type).some((declaration) => {
    const origin = getDeclarationOrigin(declaration, program);
    switch (specifier.from) {
      case 'lib':
        return origin.kind === 'global';
      case 'package':
        return originIsPackage(origin, normalizeModuleName(specifier.package, false));
      case 'file':
        return origin.kind === 'file' && (specifier.path === undefined || origin.path.endsWith(specifier.path));
    }
  });
}

/**
 * Whether `type` (every non-nullish part of a union, any part of an intersection) is named by
 * one of `specifiers`.
 */
export function typeMatchesSomeSpecifier(
  type: ts.Type,
  specifiers: readonly TypeOrValueSpecifier[],
  program: ts.Program,
): boolean {
  if (specifiers.length === 0) {
    return false;
  }
  const parts = getNonNullishConstituents(type);
  if (parts === undefined) {
    return false;
  }
  return parts.every((part) => {
    const pieces = part.isIntersection() ? part.types : [part];
    return pieces.some((piece) => specifiers.some((specifier) => constituentMatches(piece, specifier, program)));
  });
}
