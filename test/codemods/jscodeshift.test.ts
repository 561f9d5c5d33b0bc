import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createJscodeshiftTransform } from '../../codemods/jscodeshift.js';
import { stringifyNumbers, varToLet } from './sample-codemods.js';
import { buildForJscodeshift, runJscodeshift } from './jscodeshift-build.js';
import { useTempProjects } from './temp-project.js';

const tempProject = useTempProjects({ git: false });

const LOOP_AND_VAR = '/* kept */\nvar a = 1;\nfor (var i of []) {}\n';

describe('jscodeshift CLI on a compiled transform', () => {
  let buildDirectory = '';
  beforeAll(() => {
    buildDirectory = buildForJscodeshift('sample', ['codemods', 'test/codemods/sample-codemods.ts']);
    // The two shapes a published transform can take: the CommonJS wrapper works with jscodeshift's
    // default babel register, the ES module only with --no-babel.
    writeFileSync(
      join(buildDirectory, 'out/var-to-let.cjs'),
      [
        "const { join } = require('node:path');",
        "const { createThreadedTransform } = require('./codemods/jscodeshift/threaded-transform.cjs');",
        "module.exports = createThreadedTransform(join(__dirname, 'test/codemods/sample-codemods.js'), 'varToLet');",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(buildDirectory, 'out/var-to-let.js'),
      [
        "import { createJscodeshiftTransform } from './codemods/jscodeshift.js';",
        "import { varToLet } from './test/codemods/sample-codemods.js';",
        'export default createJscodeshiftTransform(varToLet);',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => {
    rmSync(buildDirectory, { recursive: true, force: true });
  });

  const jscodeshift = runJscodeshift;

  it('runs the CommonJS wrapper under the default babel register, types from the nearest tsconfig', () => {
    const project = tempProject({ 'src/a.ts': LOOP_AND_VAR, 'src/clean.ts': 'export const c = 1;\n' });
    const result = jscodeshift(project.root, '-t', join(buildDirectory, 'out/var-to-let.cjs'), '--parser=ts', '--verbose=2', 'src');
    expect(result.output).toMatch(/1 ok/);
    expect(result.output).toMatch(/1 unmodified/);
    expect(result.output).toMatch(/0 errors/);
    expect(result.output).toContain('3: loop variable: `let` would give each iteration its own binding');
    expect(project.read('src/a.ts')).toBe(LOOP_AND_VAR.replace('var a', 'let a'));
    expect(project.read('src/clean.ts')).toBe('export const c = 1;\n');
  });

  it('passes codemod options given on the jscodeshift command line', () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const result = jscodeshift(project.root, '-t', join(buildDirectory, 'out/var-to-let.cjs'), '--parser=ts', '--keyword=const', 'a.ts');
    expect(result.output).toMatch(/1 ok/);
    expect(project.read('a.ts')).toBe('const a = 1;\n');
  });

  it('skips a file it cannot parse', () => {
    const project = tempProject({ 'broken.ts': 'var = ;\n' });
    const result = jscodeshift(project.root, '-t', join(buildDirectory, 'out/var-to-let.cjs'), '--parser=ts', '--verbose=2', 'broken.ts');
    expect(result.output).toMatch(/1 skipped/);
    expect(result.output).toContain('skipped: cannot parse it');
    expect(project.read('broken.ts')).toBe('var = ;\n');
  });

  it('runs the ES module directly with --no-babel', () => {
    const project = tempProject({ 'a.ts': LOOP_AND_VAR });
    const result = jscodeshift(project.root, '-t', join(buildDirectory, 'out/var-to-let.js'), '--no-babel', '--parser=ts', 'a.ts');
    expect(result.output).toMatch(/1 ok/);
    expect(project.read('a.ts')).toBe(LOOP_AND_VAR.replace('var a', 'let a'));
  });
});

describe('createJscodeshiftTransform', () => {
  it('transforms the source jscodeshift passes, not the file on disk, and returns it unchanged when there is nothing to do', () => {
    const project = tempProject({ 'a.ts': 'export const onDisk = 1;\n' });
    const transform = createJscodeshiftTransform(varToLet);
    expect(transform({ path: project.path('a.ts'), source: 'var inMemory = 1;\n' }, {}, {})).toBe('let inMemory = 1;\n');
    expect(transform({ path: project.path('a.ts'), source: 'export const onDisk = 1;\n' }, {}, {})).toBe('export const onDisk = 1;\n');
  });

  it('verifies like the runner: a rewrite that adds a type error is not returned, and reported', () => {
    const project = tempProject({ 'typed.ts': 'export const n: number = 1;\n' });
    const reports: string[] = [];
    const transform = createJscodeshiftTransform(stringifyNumbers);
    const output = transform({ path: project.path('typed.ts'), source: project.read('typed.ts') }, { report: (message) => reports.push(message) }, {});
    expect(output).toBe('export const n: number = 1;\n');
    expect(reports).toEqual(["1: rewrite added type error TS2322: Type 'string' is not assignable to type 'number'. (was: quoted a number)"]);
  });
});
