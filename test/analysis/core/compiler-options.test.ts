import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

import { supportsTopLevelAwait } from '../../../analysis/core/compiler-options.js';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A real file in a real folder (with `package.json` `type` when given), as a program loads it. */
function topLevelAwaitAllowed(options: ts.CompilerOptions, fileName: string, packageType?: 'module' | 'commonjs'): { ours: boolean; compiler: boolean } {
  const directory = mkdtempSync(join(tmpdir(), 'predictable-tla-'));
  directories.push(directory);
  if (packageType !== undefined) writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: packageType }));
  const filePath = join(directory, fileName);
  writeFileSync(filePath, 'export const value = await Promise.resolve(1);\n');
  const program = ts.createProgram({ rootNames: [filePath], options: { ...options, noEmit: true, types: [], lib: ['lib.es2022.d.ts'] } });
  const sourceFile = program.getSourceFile(filePath);
  if (sourceFile === undefined) throw new Error('not loaded');
  // The compiler's own verdict on the same file: no top-level-await error.
  const compiler = !program.getSemanticDiagnostics(sourceFile).some((diagnostic) => [1378, 1309, 2854].includes(diagnostic.code));
  return { ours: supportsTopLevelAwait(sourceFile, program.getCompilerOptions()), compiler };
}

describe('supportsTopLevelAwait agrees with the compiler', () => {
  it.each([
    ['esnext, es2022', { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, 'file.ts', undefined, true],
    ['es2022, es2017', { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2017 }, 'file.ts', undefined, true],
    ['esnext, es2015', { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2015 }, 'file.ts', undefined, false],
    ['commonjs', { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 }, 'file.ts', undefined, false],
    ['nodenext, type module', { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 }, 'file.ts', 'module', true],
    ['nodenext, type commonjs', { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 }, 'file.ts', 'commonjs', false],
    ['nodenext, .mts under type commonjs', { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 }, 'file.mts', 'commonjs', true],
    ['preserve', { module: ts.ModuleKind.Preserve, target: ts.ScriptTarget.ES2022 }, 'file.ts', undefined, true],
  ] as const)('%s → %s', (_label, options, fileName, packageType, expected) => {
    const { ours, compiler } = topLevelAwaitAllowed(options, fileName, packageType);
    expect(compiler).toBe(expected);
    expect(ours).toBe(expected);
  });
});
