import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import semver from 'semver';
import ts from 'typescript';

import { getEffectiveTarget } from '../analysis/core/compiler-options.js';
import type { CodemodFinding } from './types.js';

/**
 * What running `using` needs from the runtime, checked against the Node versions the package says
 * it supports (`engines.node` of the nearest `package.json`).
 *
 * Down-levelled `using` calls helpers that look up `Symbol.dispose` and `Symbol.asyncDispose`,
 * which Node has from 18.18 and 20.4 on (never in 19); `target: "ESNext"` keeps `using` as syntax,
 * which Node parses from 24 on. A package that still allows older versions must load a polyfill
 * first, or its converted code throws where the old code ran.
 */

const withoutDisposeSymbols = '<18.18.0-0 || >=19.0.0-0 <20.4.0-0';
const withoutUsingSyntax = '<24.0.0-0';

/** Packages that define the two symbols when loaded. */
const polyfillPackages = ['core-js', 'core-js-pure', 'disposablestack', '@whatwg-node/disposablestack', '@esfx/disposable'];

interface PackageManifest {
  engines?: { node?: unknown };
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

function findPackageJson(fromDirectory: string): string | undefined {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(directory) === directory) return undefined;
  }
}

function readManifest(path: string): PackageManifest | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `Symbol.dispose ??= …` and the like: a program that defines the symbols itself. */
function definesSymbolsItself(program: ts.Program): boolean {
  // `Symbol.dispose ??= …`, `(Symbol as …).asyncDispose ||= …`, `Object.defineProperty(Symbol, 'dispose', …)`.
  const definition = /\bSymbol\b[^;\n]{0,80}\.(async)?[dD]ispose\s*(\?\?|\|\|)?=(?!=)|defineProperty\(\s*Symbol\s*,\s*['"](async)?[dD]ispose/;
  return program.getSourceFiles().some((file) => !file.isDeclarationFile && definition.test(file.text));
}

/**
 * A warning for a run that converted something in `filePath`'s package when the versions that
 * package supports include runtimes the converted code cannot run on; `undefined` when they do not
 * (or when the package says nothing about its Node versions).
 */
export function checkUsingRuntimeFloor(filePath: string, program: ts.Program): CodemodFinding | undefined {
  const manifestPath = findPackageJson(dirname(filePath));
  const manifest = manifestPath === undefined ? undefined : readManifest(manifestPath);
  const range = typeof manifest?.engines?.node === 'string' ? semver.validRange(manifest.engines.node) : null;
  if (manifestPath === undefined || manifest === undefined || range === null) {
    return undefined;
  }
  const engines = `\`engines.node\` (\`${String(manifest.engines?.node)}\`)`;
  if (getEffectiveTarget(program.getCompilerOptions()) >= ts.ScriptTarget.ESNext && semver.intersects(range, withoutUsingSyntax)) {
    return {
      filePath: manifestPath,
      line: 1,
      message: `\`target: "ESNext"\` emits \`using\` as written, which Node parses from 24 on, but ${engines} allows older versions: set a lower \`target\` so that \`using\` is down-levelled, or raise \`engines.node\``,
    };
  }
  const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
  const polyfilled = polyfillPackages.some((name) => name in dependencies) || definesSymbolsItself(program);
  if (!polyfilled && semver.intersects(range, withoutDisposeSymbols)) {
    return {
      filePath: manifestPath,
      line: 1,
      message: `converted \`using\` needs \`Symbol.dispose\`/\`Symbol.asyncDispose\` at run time (Node 18.18+, 20.4+), but ${engines} allows versions without them and no polyfill was found: load one (for example \`core-js/proposals/explicit-resource-management\`) before this code runs, or raise \`engines.node\``,
    };
  }
  return undefined;
}
