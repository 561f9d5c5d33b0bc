import { chmodSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { applyEdits, findInvalidEdit, runCodemod } from '../../codemods/runner.js';
import type { CodemodProgressEvent, CodemodRunReport } from '../../codemods/runner.js';
import { createGeneratedModule, explodeOnMarker, overlappingEdits, stringifyNumbers, varToLet } from './sample-codemods.js';
import type { TempProject } from './temp-project.js';
import { useTempProjects } from './temp-project.js';

const tempProject = useTempProjects({ git: true });

function statusOf(report: CodemodRunReport, project: TempProject, relativePath: string): string | undefined {
  return report.files.find((file) => file.filePath === project.path(relativePath))?.status;
}

const LOOP_AND_VARS = ['// header comment stays', 'var a = 1;', 'function f() {', '  for (var i = 0; i < 2; i++) {', '    var  spaced = i; // trailing', '  }', '}', ''].join('\n');

describe('runCodemod', () => {
  it('applies the edits once, leaves every other byte as it was, and reports conversions and refusals with lines', async () => {
    const project = tempProject({ 'src/a.ts': LOOP_AND_VARS, 'src/clean.ts': 'export const untouched = 1;\n' });
    const report = await runCodemod(varToLet, { cwd: project.root, paths: ['src'] });

    expect(project.read('src/a.ts')).toBe(LOOP_AND_VARS.replace('var a', 'let a').replace('var  spaced', 'let  spaced'));
    expect(project.read('src/clean.ts')).toBe('export const untouched = 1;\n');
    expect(statusOf(report, project, 'src/a.ts')).toBe('changed');
    expect(statusOf(report, project, 'src/clean.ts')).toBe('unchanged');
    expect(report.conversions.map((finding) => finding.line)).toEqual([2, 5]);
    expect(report.refusals).toEqual([{ filePath: project.path('src/a.ts'), line: 4, message: 'loop variable: `let` would give each iteration its own binding' }]);
  });

  it('passes the codemod its options with the declared defaults filled in', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    await runCodemod(varToLet, { cwd: project.root, options: { keyword: 'const' } });
    expect(project.read('a.ts')).toBe('const a = 1;\n');
  });

  it('reports progress for every phase', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n', 'b.ts': 'var b = 1;\n' });
    const events: CodemodProgressEvent[] = [];
    await runCodemod(varToLet, { cwd: project.root, onProgress: (event) => events.push(event) });
    expect(events.filter((event) => event.completed === 0).map((event) => [event.phase, event.total])).toEqual([
      ['check', 2],
      ['analyse', 2],
      ['verify', 2],
      ['write', 2],
    ]);
  });

  describe('git guard', () => {
    it('refuses the whole run when a file to transform has uncommitted changes, naming it and --force', async () => {
      const project = tempProject({ 'dirty.ts': 'var d = 1;\n', 'clean.ts': 'var c = 1;\n' });
      project.write('dirty.ts', 'var d = 2;\n');
      await expect(runCodemod(varToLet, { cwd: project.root })).rejects.toThrow(
        /^refusing to run: 1 file\(s\) to transform have uncommitted work: dirty\.ts; .*Commit or stash them, or pass --force$/,
      );
      expect(project.read('dirty.ts')).toBe('var d = 2;\n');
      // Nothing is half-migrated: the clean file is left alone too.
      expect(project.read('clean.ts')).toBe('var c = 1;\n');
    });

    it('runs when the uncommitted work lies outside the files to transform', async () => {
      const project = tempProject({ 'src/a.ts': 'var a = 1;\n', 'notes.ts': 'export {};\n' });
      project.write('notes.ts', 'export const draft = 1;\n');
      await runCodemod(varToLet, { cwd: project.root, paths: ['src'] });
      expect(project.read('src/a.ts')).toBe('let a = 1;\n');
    });

    it('treats an untracked file as uncommitted work', async () => {
      const project = tempProject({ 'tracked.ts': 'export {};\n' });
      project.write('new.ts', 'var n = 1;\n');
      await expect(runCodemod(varToLet, { cwd: project.root })).rejects.toThrow(/uncommitted work: new\.ts;/);
      expect(project.read('new.ts')).toBe('var n = 1;\n');
    });

    it('writes a dirty file with force', async () => {
      const project = tempProject({ 'dirty.ts': 'var d = 1;\n' });
      project.write('dirty.ts', 'var d = 2;\n');
      await runCodemod(varToLet, { cwd: project.root, force: true });
      expect(project.read('dirty.ts')).toBe('let d = 2;\n');
    });

    it('refuses files outside a git repository unless forced', async () => {
      const project = tempProject({ 'a.ts': 'var a = 1;\n' }, false);
      await expect(runCodemod(varToLet, { cwd: project.root })).rejects.toThrow(/have no git history: a\.ts; they are not inside a git repository/);
      expect(project.read('a.ts')).toBe('var a = 1;\n');

      await runCodemod(varToLet, { cwd: project.root, force: true });
      expect(project.read('a.ts')).toBe('let a = 1;\n');
    });
  });

  it('writes atomically: no temporary file is left behind and the file mode survives', async () => {
    const project = tempProject({ 'bin.ts': 'var a = 1;\n' });
    chmodSync(project.path('bin.ts'), 0o751);
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'mode');
    const before = project.listFiles();
    await runCodemod(varToLet, { cwd: project.root });
    expect(project.read('bin.ts')).toBe('let a = 1;\n');
    expect(statSync(project.path('bin.ts')).mode & 0o777).toBe(0o751);
    expect(project.listFiles()).toEqual(before);
  });

  it('never touches a file it cannot parse, and goes on with the others', async () => {
    const broken = 'var a = ;\nfunction (\n';
    const project = tempProject({ 'broken.ts': broken, 'fine.ts': 'var b = 1;\n' });
    const report = await runCodemod(varToLet, { cwd: project.root });
    expect(project.read('broken.ts')).toBe(broken);
    expect(project.read('fine.ts')).toBe('let b = 1;\n');
    const skipped = report.files.find((file) => file.filePath === project.path('broken.ts'));
    expect(skipped?.status).toBe('skipped');
    expect(skipped?.reason).toMatch(/^cannot parse it.*TS1109 at line 1/);
  });

  it('reverts a file whose rewrite adds a type error and lists its conversions as refused', async () => {
    const project = tempProject({ 'typed.ts': 'export const n: number = 1;\n', 'loose.ts': 'export const m = 1;\n' });
    const report = await runCodemod(stringifyNumbers, { cwd: project.root });

    expect(project.read('typed.ts')).toBe('export const n: number = 1;\n');
    expect(project.read('loose.ts')).toBe("export const m = '1';\n");
    expect(statusOf(report, project, 'typed.ts')).toBe('unchanged');
    expect(report.refusals).toEqual([
      {
        filePath: project.path('typed.ts'),
        line: 1,
        message: "rewrite added type error TS2322: Type 'string' is not assignable to type 'number'. (was: quoted a number)",
      },
    ]);
    expect(report.conversions.map((conversion) => conversion.filePath)).toEqual([project.path('loose.ts')]);
  });

  it('does not hold errors the file already had against the rewrite', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\nconst wrong: string = 2;\n' });
    const report = await runCodemod(varToLet, { cwd: project.root });
    expect(statusOf(report, project, 'a.ts')).toBe('changed');
    expect(project.read('a.ts')).toBe('let a = 1;\nconst wrong: string = 2;\n');
  });

  it('writes nothing with dry, yet reports what would change', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    project.write('a.ts', 'var a = 2;\n');
    const report = await runCodemod(varToLet, { cwd: project.root, dry: true });
    expect(project.read('a.ts')).toBe('var a = 2;\n');
    expect(report.files[0]).toMatchObject({ status: 'changed', newText: 'let a = 2;\n' });
  });

  it('isolates a codemod that throws on one file: that file errors, the others are converted', async () => {
    const project = tempProject({ 'explode.ts': '// explode\nvar x = 1;\n', 'fine.ts': 'var y = 1;\n' });
    const report = await runCodemod(explodeOnMarker, { cwd: project.root });
    expect(project.read('explode.ts')).toBe('// explode\nvar x = 1;\n');
    expect(project.read('fine.ts')).toBe('let y = 1;\n');
    const errored = report.files.find((file) => file.filePath === project.path('explode.ts'));
    expect(errored?.status).toBe('errored');
    expect(errored?.reason).toMatch(/^the codemod failed on this file: cannot handle/);
  });

  it('errors a file whose edits overlap instead of applying any of them', async () => {
    const project = tempProject({ 'overlap.ts': '// overlap\nvar x = 1;\n', 'fine.ts': 'var y = 1;\n' });
    const report = await runCodemod(overlappingEdits, { cwd: project.root });
    expect(project.read('overlap.ts')).toBe('// overlap\nvar x = 1;\n');
    expect(project.read('fine.ts')).toBe('let y = 1;\n');
    expect(report.files.find((file) => file.filePath === project.path('overlap.ts'))?.reason).toMatch(/invalid edits: .*overlap/);
  });

  it('creates files the codemod asks for, type-checked together with the files that import them', async () => {
    const project = tempProject({ 'main.ts': '// use-generated\nexport const total = generated + 1;\n' });
    project.write('main.ts', '// use-generated\nexport const total: number = generated + 1;\n');
    project.git('commit', '-q', '-am', 'annotate');
    const report = await runCodemod(createGeneratedModule({ brokenModule: false }), { cwd: project.root });
    expect(statusOf(report, project, 'generated.ts')).toBe('created');
    expect(project.read('generated.ts')).toBe('export const generated = 1;\n');
    expect(project.read('main.ts')).toBe("import { generated } from './generated.js';\n// use-generated\nexport const total: number = generated + 1;\n");
  });

  it('creates a file for a changed module that imports a package module (verification keeps nodes it reads alive)', async () => {
    const project = tempProject({ 'main.ts': "import { join } from 'node:path';\n// use-generated\nexport const where = join('a', String(generated));\n" });
    const report = await runCodemod(createGeneratedModule({ brokenModule: false }), { cwd: project.root });
    expect(report.files.filter((file) => file.status === 'errored')).toEqual([]);
    expect(statusOf(report, project, 'generated.ts')).toBe('created');
  });

  it('reverts the importer too when the file it needs fails verification', async () => {
    const project = tempProject({ 'main.ts': '// use-generated\nexport const total = 1;\n' });
    const report = await runCodemod(createGeneratedModule({ brokenModule: true }), { cwd: project.root });
    expect(project.listFiles()).toEqual(['main.ts', 'tsconfig.json']);
    expect(project.read('main.ts')).toBe('// use-generated\nexport const total = 1;\n');
    expect(report.refusals.map((refusal) => refusal.message)).toEqual([
      expect.stringMatching(/^rewrite added type error TS2322/),
      expect.stringMatching(/^rewrite added type error TS2307: Cannot find module '.\/generated.js'/),
    ]);
  });

  it('reverts a file whose rewrite breaks an unchanged file that imports it, directly or not', async () => {
    const project = tempProject({
      'limits.ts': 'export const limit = 5;\n',
      'reexport.ts': "export { limit } from './limits.js';\n",
      'use.ts': "import { limit } from './reexport.js';\nexport const next: number = limit + 1;\n",
      'alone.ts': 'export const alone = 7;\n',
    });
    const report = await runCodemod(stringifyNumbers, { cwd: project.root });

    expect(project.read('limits.ts')).toBe('export const limit = 5;\n');
    expect(project.read('alone.ts')).toBe("export const alone = '7';\n");
    expect(report.refusals).toEqual([
      expect.objectContaining({
        filePath: project.path('limits.ts'),
        message: expect.stringMatching(/^rewrite breaks use\.ts, which is not rewritten with it: TS2322/) as unknown,
      }),
    ]);
  });

  it('does not blame a rewrite for an error an unchanged importer already had at the same place', async () => {
    const project = tempProject({
      'limits.ts': 'export const limit = 5;\n',
      // Already wrong before the run; only the type the message quotes changes with the rewrite.
      'use.ts': "import { limit } from './limits.js';\nexport const flag: boolean = limit;\n",
      'other.ts': "import { limit } from './limits.js';\nexport const flag: boolean = true;\nexport const next: number = limit;\n",
    });
    const report = await runCodemod(stringifyNumbers, { cwd: project.root });

    // `other.ts` gets a new error, at a place that had none: that one still reverts the rewrite.
    expect(project.read('limits.ts')).toBe('export const limit = 5;\n');
    expect(report.refusals.map((refusal) => refusal.message)).toEqual([expect.stringMatching(/^rewrite breaks other\.ts, which is not rewritten with it: TS2322/)]);

    const onlyOldError = tempProject({
      'limits.ts': 'export const limit = 5;\n',
      'use.ts': "import { limit } from './limits.js';\nexport const flag: boolean = limit;\n",
    });
    const kept = await runCodemod(stringifyNumbers, { cwd: onlyOldError.root });
    expect(onlyOldError.read('limits.ts')).toBe("export const limit = '5';\n");
    expect(kept.refusals).toEqual([]);
  });

  it('reverts a callee whose rewrite breaks a caller with uncommitted work outside the targets', async () => {
    const project = tempProject({
      'limits.ts': 'export const limit = 5;\n',
      'use.ts': "import { limit } from './limits.js';\nexport const next: number = limit + 1;\nexport const other = 1;\n",
    });
    project.write('use.ts', "import { limit } from './limits.js';\nexport const next: number = limit + 2;\nexport const other = 1;\n");
    const report = await runCodemod(stringifyNumbers, { cwd: project.root, paths: ['limits.ts'] });

    expect(project.read('limits.ts')).toBe('export const limit = 5;\n');
    expect(statusOf(report, project, 'use.ts')).toBeUndefined();
    expect(report.refusals.map((refusal) => refusal.message)).toEqual([expect.stringMatching(/^rewrite breaks use\.ts/)]);
  });

  describe('mark', () => {
    it('leaves a comment with the same indentation above each refused site, once', async () => {
      const project = tempProject({ 'a.ts': LOOP_AND_VARS });
      await runCodemod(varToLet, { cwd: project.root, mark: true });
      const marked = project.read('a.ts');
      expect(marked).toBe(
        LOOP_AND_VARS.replace('var a', 'let a')
          .replace('var  spaced', 'let  spaced')
          .replace('  for (var', '  // predictable-codemod: loop variable: `let` would give each iteration its own binding\n  for (var'),
      );
      project.git('commit', '-q', '-am', 'first run');
      const second = await runCodemod(varToLet, { cwd: project.root, mark: true });
      expect(project.read('a.ts')).toBe(marked);
      expect(second.files[0]?.status).toBe('unchanged');
    });

    it('marks the sites of a file that verification reverted', async () => {
      const project = tempProject({ 'typed.ts': 'export function f() {\n  const n: number = 1;\n  return n;\n}\n' });
      await runCodemod(stringifyNumbers, { cwd: project.root, mark: true });
      expect(project.read('typed.ts')).toBe(
        "export function f() {\n  // predictable-codemod: rewrite added type error TS2322: Type 'string' is not assignable to type 'number'. (was: quoted a number)\n  const n: number = 1;\n  return n;\n}\n",
      );
    });

    it('does not put a comment inside a template literal', async () => {
      const text = 'export const s = `\nfor (var i of x) {}`;\nfor (var j of []) {}\n';
      const project = tempProject({ 'a.ts': text });
      await runCodemod(varToLet, { cwd: project.root, mark: true });
      expect(project.read('a.ts')).toBe(text.replace('\nfor (var j', '\n// predictable-codemod: loop variable: `let` would give each iteration its own binding\nfor (var j'));
    });
  });

  describe('file selection', () => {
    it('takes only the given extensions, never declaration files or node_modules', async () => {
      const project = tempProject({
        'a.ts': 'var a = 1;\n',
        'b.mts': 'var b = 1;\n',
        'types.d.ts': 'declare var g: number;\n',
        'node_modules/dep/index.ts': 'var d = 1;\n',
      });
      const report = await runCodemod(varToLet, { cwd: project.root, extensions: ['mts'] });
      expect(report.files.map((file) => file.filePath)).toEqual([project.path('b.mts')]);
      expect(project.read('a.ts')).toBe('var a = 1;\n');
      expect(project.read('b.mts')).toBe('let b = 1;\n');
    });

    it('skips files matching an ignore pattern', async () => {
      const project = tempProject({ 'src/a.ts': 'var a = 1;\n', 'src/generated/b.ts': 'var b = 1;\n' });
      const report = await runCodemod(varToLet, { cwd: project.root, paths: ['src'], ignorePatterns: ['src/generated/**'] });
      expect(report.files.map((file) => file.filePath)).toEqual([project.path('src/a.ts')]);
      expect(project.read('src/generated/b.ts')).toBe('var b = 1;\n');
    });

    it('accepts single files and globs', async () => {
      const project = tempProject({ 'a.ts': 'var a = 1;\n', 'b.ts': 'var b = 1;\n', 'c.ts': 'var c = 1;\n' });
      const report = await runCodemod(varToLet, { cwd: project.root, paths: ['a.ts', 'c.*'] });
      expect(report.files.map((file) => file.filePath)).toEqual([project.path('a.ts'), project.path('c.ts')]);
    });

    it('rejects a path that does not exist and a missing tsconfig', async () => {
      const project = tempProject({ 'a.ts': 'var a = 1;\n' });
      await expect(runCodemod(varToLet, { cwd: project.root, paths: ['missing'] })).rejects.toThrow('path does not exist: missing');
      await expect(runCodemod(varToLet, { cwd: project.root, tsconfig: 'nope.json' })).rejects.toThrow(/tsconfig not found/);
    });
  });
});

describe('edits', () => {
  it('applies insertions before replacements at the same position', () => {
    expect(
      applyEdits('abcdef', [
        { start: 2, end: 4, text: 'X' },
        { start: 2, end: 2, text: '>' },
        { start: 6, end: 6, text: '!' },
      ]),
    ).toBe('ab>Xef!');
  });

  it('names the first invalid edit', () => {
    expect(findInvalidEdit([{ start: 0, end: 9, text: '' }], 5)).toMatch(/outside the file/);
    expect(findInvalidEdit([{ start: 3, end: 2, text: '' }], 5)).toMatch(/outside the file/);
    expect(
      findInvalidEdit(
        [
          { start: 0, end: 3, text: '' },
          { start: 2, end: 4, text: '' },
        ],
        5,
      ),
    ).toMatch(/overlap/);
    expect(
      findInvalidEdit(
        [
          { start: 0, end: 2, text: '' },
          { start: 2, end: 2, text: '' },
          { start: 2, end: 4, text: '' },
        ],
        5,
      ),
    ).toBeUndefined();
  });
});
