import ts from 'typescript';

/**
 * Is the symbol at `name` declared only by the standard library, as a member of one of `owners`
 * (`Array`, `Map`…)? Deciding by declaration rather than by name keeps a user's `repository.find(cb)`
 * or `cache.get(key)` from passing for the built-in method of the same name.
 */
export function isDeclaredInStandardLibrary(name: ts.Node, program: ts.Program, owners: ReadonlySet<string>): boolean {
  const declarations = program.getTypeChecker().getSymbolAtLocation(name)?.declarations ?? [];
  return (
    declarations.length > 0 &&
    declarations.every((declaration) => {
      const owner = declaration.parent;
      return (
        (ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner)) &&
        owner.name !== undefined &&
        owners.has(owner.name.text) &&
        program.isSourceFileDefaultLibrary(owner.getSourceFile())
      );
    })
  );
}

/**
 * Is `symbol` declared by TypeScript's default library alone (the global `Promise`, `Boolean`,
 * `Map`), so that a user's value of the same name does not pass for it?
 */
export function isDeclaredOnlyInDefaultLibrary(symbol: ts.Symbol | undefined, program: ts.Program): boolean {
  const declarations = symbol?.declarations ?? [];
  return declarations.length > 0 && declarations.every((declaration) => program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
}

/** The standard library's typed arrays, whose element reads behave as an array's. */
export const TYPED_ARRAY_NAMES: readonly string[] = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];
