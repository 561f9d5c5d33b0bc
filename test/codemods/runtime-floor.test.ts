import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

import { checkUsingRuntimeFloor } from '../../codemods/runtime-floor.js';
import { runCodemod } from '../../codemods/runner.js';
import toUsing from '../../codemods/to-using.js';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A package on disk (`package.json` as given) with one source file, and its program. */
function packageWith(manifest: object | undefined, source = 'export const x = 1;\n', target = ts.ScriptTarget.ES2022): { filePath: string; program: ts.Program } {
  const directory = mkdtempSync(join(tmpdir(), 'predictable-floor-'));
  directories.push(directory);
  if (manifest !== undefined) writeFileSync(join(directory, 'package.json'), JSON.stringify(manifest));
  mkdirSync(join(directory, 'src'));
  const filePath = join(directory, 'src', 'file.ts');
  writeFileSync(filePath, source);
  return { filePath, program: ts.createProgram({ rootNames: [filePath], options: { target, module: ts.ModuleKind.ESNext, noEmit: true } }) };
}

describe('checkUsingRuntimeFloor', () => {
  it.each([
    ['>=16', 'Symbol.dispose'],
    ['>=18', 'Symbol.dispose'],
    ['^19.0.0 || >=20.4', 'Symbol.dispose'],
    ['>=18.18 <19 || >=20.4', undefined],
    ['>=20.4.0', undefined],
    ['>=22', undefined],
  ])('engines.node %s → %s', (range, expected) => {
    const { filePath, program } = packageWith({ engines: { node: range } });
    const warning = checkUsingRuntimeFloor(filePath, program);
    if (expected === undefined) expect(warning).toBeUndefined();
    else expect(warning?.message).toContain(expected);
  });

  it('is satisfied by a polyfill dependency or by code that defines the symbols', () => {
    expect(checkUsingRuntimeFloor(...args(packageWith({ engines: { node: '>=16' }, dependencies: { 'core-js': '^3.40.0' } })))).toBeUndefined();
    const selfDefined = packageWith({ engines: { node: '>=16' } }, "(Symbol as { dispose?: symbol }).dispose ??= Symbol('Symbol.dispose');\nexport {};\n");
    expect(checkUsingRuntimeFloor(...args(selfDefined))).toBeUndefined();
  });

  it('says nothing without engines, and asks for Node 24 when target ESNext keeps using as syntax', () => {
    expect(checkUsingRuntimeFloor(...args(packageWith({ name: 'no-engines' })))).toBeUndefined();
    expect(checkUsingRuntimeFloor(...args(packageWith({ engines: { node: '>=20.4' } }, undefined, ts.ScriptTarget.ESNext)))?.message).toContain('Node parses from 24 on');
    expect(checkUsingRuntimeFloor(...args(packageWith({ engines: { node: '>=24' } }, undefined, ts.ScriptTarget.ESNext)))).toBeUndefined();
  });
});

function args({ filePath, program }: { filePath: string; program: ts.Program }): [string, ts.Program] {
  return [filePath, program];
}

describe('to-using reports the runtime floor with its conversions', () => {
  const source = `class Handle {
  close(): void {}
  [Symbol.dispose](): void {
    this.close();
  }
}
export function use(): void {
  const handle = new Handle();
  try {
    console.log('work');
  } finally {
    handle.close();
  }
}
`;
  const run = async (engines: string, text: string) => {
    const directory = mkdtempSync(join(tmpdir(), 'predictable-floor-run-'));
    directories.push(directory);
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ type: 'module', engines: { node: engines } }));
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', lib: ['ES2023', 'esnext.disposable', 'dom'], strict: true, noEmit: true, types: [] } }));
    writeFileSync(join(directory, 'file.ts'), text);
    return runCodemod(toUsing, { cwd: directory, paths: ['file.ts'], dry: true, force: true });
  };

  it('warns once when a conversion is kept and the package allows Node without the symbols', async () => {
    const report = await run('>=16', source);
    expect(report.conversions).toHaveLength(1);
    expect(report.warnings.map((warning) => warning.message)).toEqual([expect.stringContaining('Symbol.asyncDispose` at run time')]);
  });

  it('does not warn when nothing was converted', async () => {
    const report = await run('>=16', source.replace('const handle', 'var handle'));
    expect(report.conversions).toHaveLength(0);
    expect(report.warnings).toEqual([]);
  });
});
