import ts from 'typescript';

/**
 * Where a declaration comes from, the way users name it in options:
 * - `global`: TypeScript's default lib or a `declare global` block (`setInterval`, `DisposableStack`);
 * - `package`: an npm package, `pg`, `mysql2`, `async-mutex`; Node's own modules are named
 *   `node:fs`, `node:net`, … whether `@types/node` declares them as `"fs"` or `"node:fs"`;
 * - `file`: a source file of the program, by absolute path.
 */
export type DeclarationOrigin =
  | { kind: 'global' }
  | { kind: 'package'; name: string }
  | { kind: 'file'; path: string };

const nodeModulesSegment = '/node_modules/';

/** The package a path under `node_modules` belongs to; `@types/x` counts as `x`. */
export function getPackageNameOfPath(filePath: string): string | undefined {
  const normalized = filePath.replaceAll('\\', '/');
  const index = normalized.lastIndexOf(nodeModulesSegment);
  if (index < 0) {
    return undefined;
  }
  const parts = normalized.slice(index + nodeModulesSegment.length).split('/');
  const last = parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : parts[0];
  if (last === undefined || last === '') {
    return undefined;
  }
  if (last.startsWith('@types/')) {
    const typed = last.slice('@types/'.length);
    // `@types/scope__name` declares `@scope/name`.
    return typed.includes('__') ? `@${typed.replace('__', '/')}` : typed;
  }
  return last;
}

const nodeBuiltinPrefix = 'node:';

/** `fs`, `node:fs` → `node:fs`; anything that is not a Node built-in stays as it is. */
export function normalizeModuleName(name: string, isNodeBuiltin: boolean): string {
  if (name.startsWith(nodeBuiltinPrefix)) {
    return name;
  }
  return isNodeBuiltin ? `${nodeBuiltinPrefix}${name}` : name;
}

/** Where `declaration` is declared; see {@link DeclarationOrigin}. */
export function getDeclarationOrigin(declaration: ts.Node, program: ts.Program): DeclarationOrigin {
  const sourceFile = declaration.getSourceFile();
  if (program.isSourceFileDefaultLibrary(sourceFile)) {
    return { kind: 'global' };
  }
  const packageName = getPackageNameOfPath(sourceFile.fileName);
  // `parent` is typed as always present, but a source file has none.
  for (let node = declaration.parent as ts.Node | undefined; node !== undefined; node = node.parent as ts.Node | undefined) {
    if (!ts.isModuleDeclaration(node)) {
      continue;
    }
    if ((node.flags & ts.NodeFlags.GlobalAugmentation) !== 0) {
      return { kind: 'global' };
    }
    if (ts.isStringLiteral(node.name)) {
      return { kind: 'package', name: normalizeModuleName(node.name.text, packageName === 'node') };
    }
  }
  // A declaration file that is a script declares globals (`@types/node` re-declares `AsyncDisposable`).
  if (sourceFile.isDeclarationFile && !ts.isExternalModule(sourceFile)) {
    return { kind: 'global' };
  }
  if (packageName !== undefined) {
    return { kind: 'package', name: packageName };
  }
  return { kind: 'file', path: sourceFile.fileName };
}

/** Whether the origin is the package `name` or one of its subpath modules (`fs` matches `fs/promises`). */
export function originIsPackage(origin: DeclarationOrigin, name: string): boolean {
  return origin.kind === 'package' && (origin.name === name || origin.name.startsWith(`${name}/`));
}
