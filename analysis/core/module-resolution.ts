import type ts from 'typescript';

/**
 * Whether TypeScript found nothing behind a module specifier: no file, no declarations, no ambient
 * `declare module`. Everything imported from such a module is `any`, so a rule sees no resource and
 * no nullable value there, and an audit that says "no problems" would be guessing.
 */
export function isUnresolvedModuleSpecifier(checker: ts.TypeChecker, specifier: ts.StringLiteralLike): boolean {
  return checker.getSymbolAtLocation(specifier) === undefined;
}
