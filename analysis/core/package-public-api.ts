import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

import { skipTransparentDown } from './transparent-syntax.js';

/**
 * Which declarations of the program are a package's public API: what its `package.json` entry
 * points (`exports`, `main`, `module`, `types`) export, directly or re-exported.
 *
 * A codemod may change the signature of a function its own callers can be updated for; the
 * callers of a published package are out of reach, so changing what it returns there breaks them
 * silently. Only `package.json` files inside the project directory count: a project nested in a
 * larger repository does not inherit that repository's entry points.
 */
export interface PackagePublicApi {
  /** The source files that are entry points, by absolute path. */
  entryFiles: readonly string[];
  /** Is this declaration (a function, a class, a method of an exported class) reachable from an entry point? */
  isPublic(declaration: ts.Declaration): boolean;
}

const ENTRY_FIELDS = ['exports', 'main', 'module', 'types', 'typings'] as const;
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

export function getPackagePublicApi(program: ts.Program, projectDirectory: string): PackagePublicApi {
  const checker = program.getTypeChecker();
  const entryFiles = findEntryFiles(program, projectDirectory);
  const exported = new Set<ts.Symbol>();
  for (const entry of entryFiles) {
    const sourceFile = program.getSourceFile(entry);
    const moduleSymbol = sourceFile === undefined ? undefined : checker.getSymbolAtLocation(sourceFile);
    if (moduleSymbol === undefined) continue;
    addExports(moduleSymbol, checker, exported);
  }
  return {
    entryFiles,
    isPublic(declaration) {
      // A method is public when its class is; a private or `#` member never is.
      let owner: ts.Node = declaration;
      if (ts.isClassElement(declaration) && ts.isClassLike(declaration.parent)) {
        const modifiers = ts.getCombinedModifierFlags(declaration);
        if ((modifiers & ts.ModifierFlags.Private) !== 0 || (declaration.name !== undefined && ts.isPrivateIdentifier(declaration.name))) {
          return false;
        }
        owner = declaration.parent;
      }
      if ((ts.isArrowFunction(owner) || ts.isFunctionExpression(owner)) && ts.isVariableDeclaration(owner.parent)) {
        owner = owner.parent;
      }
      const name = (owner as ts.NamedDeclaration).name;
      const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
      return symbol !== undefined && exported.has(symbol);
    },
  };
}

/**
 * Every symbol `moduleSymbol` exports, resolved through aliases, and through namespace re-exports
 * (`export * as util from './util.js'`): `util.pick` is as public as `pick` would be.
 */
function addExports(moduleSymbol: ts.Symbol, checker: ts.TypeChecker, exported: Set<ts.Symbol>): void {
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    const resolved = (symbol.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(symbol) : symbol;
    if (exported.has(resolved)) {
      continue;
    }
    exported.add(resolved);
    addRenamedValue(resolved, checker, exported);
    if ((resolved.flags & ts.SymbolFlags.ValueModule) !== 0 && (resolved.declarations ?? []).some(ts.isSourceFile)) {
      addExports(resolved, checker, exported);
    }
  }
}

/**
 * `export const join = _join as Nests<'fmt', string>`: the exported constant is the function
 * itself under another name and type, so the function is as public as the constant.
 */
function addRenamedValue(symbol: ts.Symbol, checker: ts.TypeChecker, exported: Set<ts.Symbol>): void {
  for (const declaration of symbol.declarations ?? []) {
    if (!ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) continue;
    const value = skipTransparentDown(declaration.initializer);
    if (!ts.isIdentifier(value) && !ts.isPropertyAccessExpression(value)) continue;
    let target = checker.getSymbolAtLocation(value);
    if (target !== undefined && (target.flags & ts.SymbolFlags.Alias) !== 0) target = checker.getAliasedSymbol(target);
    if (target !== undefined && !exported.has(target)) {
      exported.add(target);
      addRenamedValue(target, checker, exported);
    }
  }
}

/** The entry points of every `package.json` from the project directory down, mapped to source files of the program. */
function findEntryFiles(program: ts.Program, projectDirectory: string): string[] {
  const options = program.getCompilerOptions();
  const entries = new Set<string>();
  const packageDirectories = new Set<string>();
  for (const sourceFile of program.getSourceFiles()) {
    if (program.isSourceFileFromExternalLibrary(sourceFile) || sourceFile.isDeclarationFile) continue;
    const directory = findPackageDirectory(path.dirname(sourceFile.fileName), projectDirectory);
    if (directory !== undefined) packageDirectories.add(directory);
  }
  for (const directory of packageDirectories) {
    for (const target of readEntryTargets(path.join(directory, 'package.json'))) {
      for (const candidate of sourceCandidates(path.resolve(directory, target), directory, options)) {
        if (program.getSourceFile(candidate) !== undefined) {
          entries.add(candidate);
          break;
        }
      }
    }
  }
  return [...entries].sort();
}

function findPackageDirectory(start: string, projectDirectory: string): string | undefined {
  const root = path.resolve(projectDirectory);
  for (let directory = path.resolve(start); ; directory = path.dirname(directory)) {
    if (!directory.startsWith(root)) return undefined;
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    if (directory === root || path.dirname(directory) === directory) return undefined;
  }
}

/** Every path an entry field names; `exports` may nest conditions and subpaths. */
function readEntryTargets(packageJsonPath: string): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
  } catch {
    return [];
  }
  const targets: string[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('*')) targets.push(value);
    } else if (Array.isArray(value)) {
      value.forEach(collect);
    } else if (typeof value === 'object' && value !== null) {
      Object.values(value).forEach(collect);
    }
  };
  if (typeof manifest === 'object' && manifest !== null) {
    for (const field of ENTRY_FIELDS) {
      collect((manifest as Record<string, unknown>)[field]);
    }
  }
  return targets;
}

/** Folders builds and bundlers write to, which mirror the sources below them. */
const BUILD_FOLDERS = new Set(['dist', 'lib', 'build', 'out', 'esm', 'cjs', 'es', 'mjs', 'types']);

/**
 * `dist/index.js` → `dist/index.ts`; through `outDir` → `rootDir`: `src/index.ts`; and, for a
 * bundler's output that no `outDir` describes (`dist/esm/client.mjs`), the same path below `src/`
 * or the package folder with the build folders taken off: `src/client.ts`, `client.ts`.
 */
function sourceCandidates(target: string, packageDirectory: string, options: ts.CompilerOptions): string[] {
  const withoutExtension = target.replace(/\.d\.[cm]?ts$|\.[cm]?[jt]sx?$/, '');
  const stems = [withoutExtension];
  if (options.outDir !== undefined) {
    const outDir = path.resolve(options.outDir);
    const configFilePath = options.configFilePath;
    const rootDir = path.resolve(options.rootDir ?? (typeof configFilePath === 'string' ? path.dirname(configFilePath) : '.'));
    if (withoutExtension.startsWith(`${outDir}${path.sep}`)) {
      stems.push(path.join(rootDir, path.relative(outDir, withoutExtension)));
    }
  }
  const segments = path.relative(packageDirectory, withoutExtension).split(path.sep);
  let firstSourceSegment = 0;
  while (firstSourceSegment < segments.length - 1 && BUILD_FOLDERS.has(segments[firstSourceSegment] ?? '')) {
    firstSourceSegment++;
  }
  if (firstSourceSegment > 0) {
    const rest = segments.slice(firstSourceSegment);
    stems.push(path.join(packageDirectory, 'src', ...rest), path.join(packageDirectory, ...rest));
  }
  return stems.flatMap((stem) => [...SOURCE_EXTENSIONS.map((extension) => `${stem}${extension}`), ...SOURCE_EXTENSIONS.map((extension) => path.join(stem, `index${extension}`))]);
}
