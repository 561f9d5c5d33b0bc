import ts from 'typescript';

/**
 * What a program's options come to once TypeScript's defaults apply: `target` and `module` are
 * often left out of a tsconfig, and their defaults move between releases (TypeScript 6 raised
 * both), so they are taken from the compiler itself rather than written down here.
 */
interface EffectiveOptionHelpers {
  getEmitScriptTarget?: (options: ts.CompilerOptions) => ts.ScriptTarget;
  getEmitModuleKind?: (options: ts.CompilerOptions) => ts.ModuleKind;
}

// Exported by the compiler at run time but left out of its declarations.
const helpers = ts as unknown as EffectiveOptionHelpers;

export function getEffectiveTarget(options: ts.CompilerOptions): ts.ScriptTarget {
  return helpers.getEmitScriptTarget?.(options) ?? options.target ?? ts.ScriptTarget.LatestStandard;
}

export function getEffectiveModuleKind(options: ts.CompilerOptions): ts.ModuleKind {
  return helpers.getEmitModuleKind?.(options) ?? options.module ?? ts.ModuleKind.CommonJS;
}

// `system` allows it too, but TypeScript 6 deprecates it.
const modulesWithTopLevelAwait = new Set([ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.Preserve]);

/** Whether TypeScript accepts a top-level `await` in `sourceFile` (else TS1378, TS2854 or TS1309). */
export function supportsTopLevelAwait(sourceFile: ts.SourceFile, options: ts.CompilerOptions): boolean {
  if (!ts.isExternalModule(sourceFile) || getEffectiveTarget(options) < ts.ScriptTarget.ES2017) {
    return false;
  }
  const module = getEffectiveModuleKind(options);
  if (modulesWithTopLevelAwait.has(module)) {
    return true;
  }
  if (module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext) {
    // Only an ES module may: `.mts`, or `.ts` under a `package.json` with `"type": "module"`.
    return ts.getImpliedNodeFormatForFile(sourceFile.fileName, undefined, ts.sys, options) === ts.ModuleKind.ESNext;
  }
  return false;
}
