import ts from 'typescript';

/**
 * Does a reference's symbol stand for the declared one? A member read through an instantiated
 * generic type (`new Stream<null>()._run()`) resolves to a transient symbol the checker makes for
 * that instantiation, not to the declared symbol, though both have the same declaration; comparing
 * symbols by identity would miss every such call.
 */
export function isSameDeclaredSymbol(found: ts.Symbol | undefined, declared: ts.Symbol): boolean {
  if (found === undefined) {
    return false;
  }
  if (found === declared) {
    return true;
  }
  return found.valueDeclaration !== undefined && found.valueDeclaration === declared.valueDeclaration;
}

/** The initializer of the `const` an identifier names (`const work = fetchReport(id)`), if it is one. */
export function getConstantInitializer(name: ts.Identifier, checker: ts.TypeChecker): ts.Expression | undefined {
  const declaration = checker.getSymbolAtLocation(name)?.valueDeclaration;
  if (
    declaration !== undefined &&
    ts.isVariableDeclaration(declaration) &&
    ts.isVariableDeclarationList(declaration.parent) &&
    (declaration.parent.flags & ts.NodeFlags.Const) !== 0
  ) {
    return declaration.initializer;
  }
  return undefined;
}

/** The symbol an import alias stands for (`sleep` for `setTimeout` of `node:timers/promises`), or the symbol itself. */
export function resolveAlias(symbol: ts.Symbol | undefined, checker: ts.TypeChecker): ts.Symbol | undefined {
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) {
    return checker.getAliasedSymbol(symbol);
  }
  return symbol;
}
