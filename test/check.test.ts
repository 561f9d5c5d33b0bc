import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';

import { runPredictable } from './run-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const predictable = runPredictable;

const temporaryDirectories: string[] = [];
afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

const tsconfig = (compilerOptions: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023', 'esnext.disposable'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      ...compilerOptions,
    },
    ...extra,
  });

const leak = `import { open } from 'node:fs/promises';

export async function firstByte(path: string): Promise<number> {
  const handle = await open(path);
  const { buffer } = await handle.read();
  return buffer[0] ?? 0;
}
`;

/**
 * A project on disk outside this repository, with this repository's node_modules linked in so
 * `@types/node` resolves as it would in the user's own project.
 */
function makeProject(files: Record<string, string>, options: { git?: boolean } = {}): string {
  const directory = mkdtempSync(join(tmpdir(), 'predictable-check-'));
  temporaryDirectories.push(directory);
  symlinkSync(join(root, 'node_modules'), join(directory, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), text);
  }
  if (options.git === true) {
    spawnSync('git', ['init', '-q'], { cwd: directory });
  }
  return directory;
}

describe('predictable check: formats', () => {
  const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak });

  it('refuses an unknown format before linting anything, in one line, with exit 2', () => {
    const run = predictable(project, 'check', '--format', 'no-such-format', 'src');
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      "predictable: unknown format 'no-such-format': use one of stylish, json, json-with-metadata, html, sarif, or an installed ESLint formatter package",
    ]);
    expect(run.stdout).toBe('');
  });

  it('formats json-with-metadata with the rules metadata of the run that linted', () => {
    const run = predictable(project, 'check', '--format', 'json-with-metadata', 'src');
    expect(run.status).toBe(1);
    const parsed = JSON.parse(run.stdout) as { results: unknown[]; metadata: { rulesMeta: Record<string, { docs?: { url?: string } }> } };
    expect(parsed.results).toHaveLength(1);
    expect(parsed.metadata.rulesMeta['predictable/no-undisposed-resources']?.docs?.url).toContain('no-undisposed-resources.md');
  });

  it('writes SARIF 2.1.0 that validates against the schema, to a file with -o', () => {
    const run = predictable(project, 'check', '--format', 'sarif', '-o', 'out/predictable.sarif', 'src');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('results written to out/predictable.sarif');
    const log = JSON.parse(readFileSync(join(project, 'out/predictable.sarif'), 'utf8')) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string; helpUri?: string }[] } }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
    const draft4 = require('ajv/lib/refs/json-schema-draft-04.json') as object;
    const ajv = new Ajv({ schemaId: 'auto', validateSchema: false, allErrors: true });
    ajv.addMetaSchema(draft4);
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    const [sarifRun] = log.runs;
    expect(sarifRun?.tool.driver.name).toBe('eslint-plugin-predictable');
    expect(sarifRun?.tool.driver.rules.map((rule) => rule.id)).toEqual(['predictable/no-undisposed-resources']);
    expect(sarifRun?.results.map((result) => [result.ruleId, result.locations[0]?.physicalLocation.artifactLocation.uri, result.locations[0]?.physicalLocation.region.startLine])).toEqual([
      ['predictable/no-undisposed-resources', 'src/size.ts', 4],
    ]);
  });

  it('lists its exit codes in --help', () => {
    const run = predictable(project, 'check', '--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Exit codes:\n\s+0\s+nothing found\n\s+1\s+problems found/);
    expect(run.stdout).toContain('--max-warnings');
  });

  it('prints one line and where to find help on a usage error, not the whole help', () => {
    const run = predictable(project, 'check', '--max-warnings', 'lots');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("option '--max-warnings <count>' argument 'lots' is invalid");
    expect(run.stderr).toContain("see 'predictable --help'");
    expect(run.stderr).not.toContain('Exit codes');
  });
});

describe('predictable check: never a silent "no problems"', () => {
  it('exits 2 when the tsconfig extends a file that does not exist', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig({}, { extends: './missing-base.json' }), 'src/size.ts': leak });
    const run = predictable(project, 'check', 'src');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/tsconfig\.json does not load, so its files cannot be type-checked: .*missing-base\.json/);
  });

  it('warns, naming the modules, when imports do not resolve and their values turn into any', () => {
    // TypeScript 6 loads no @types package unless `types` names it: `node:fs` is then unresolved
    // and the leak below is invisible to the rule.
    const project = makeProject({ 'tsconfig.json': tsconfig({ types: [] }), 'src/size.ts': leak });
    const run = predictable(project, 'check', 'src');
    expect(run.stdout).toContain('predictable: no problems in 1 file(s)');
    expect(run.stdout).toMatch(/warning: 1 file\(s\) import modules TypeScript cannot resolve.*node:fs\/promises \(1 file\(s\)\).*"types": \["node"\]/);
  });

  it('names no unresolved module when everything resolves', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak });
    const run = predictable(project, 'check', 'src');
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('cannot resolve');
  });

  it('exits 2 when the paths hold no TypeScript file', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.js': 'export const size = 1;\n' });
    const run = predictable(project, 'check', 'src');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('predictable: no TypeScript files to check in src');
  });

  it('checks a project given by an absolute path outside the current directory', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak });
    const elsewhere = makeProject({});
    const run = predictable(elsewhere, 'check', join(project, 'src'));
    expect(run.stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(run.status).toBe(1);
  });

  it('follows a folder that holds only a symbolic link, and checks what it points to', () => {
    const other = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak });
    const project = makeProject({ 'tsconfig.json': tsconfig({}, { include: ['src'] }) });
    mkdirSync(join(project, 'src'));
    symlinkSync(join(other, 'src'), join(project, 'src/linked'), 'dir');
    const run = predictable(project, 'check', 'src');
    expect(run.stdout).toContain('src/linked/size.ts');
    expect(run.stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
  });

  it('leaves disable comments for rules it does not run out of the findings and the exit code', () => {
    const project = makeProject({
      'tsconfig.json': tsconfig(),
      'src/value.ts': [
        '// eslint-disable-next-line @typescript-eslint/no-explicit-any',
        'export const value: any = 1;',
        '/* eslint-disable-next-line unicorn/no-null */',
        'export const nothing = null;',
        '',
      ].join('\n'),
    });
    const run = predictable(project, 'check', 'src');
    expect(run.stdout).toContain('predictable: no problems in 1 file(s)');
    expect(run.stdout).toContain('ignored 2 disable comment(s) for rules the audit does not run');
    expect(run.status).toBe(0);
  });
});

describe('predictable check: which files', () => {
  it('checks build/, dist/ and coverage/ sources unless .gitignore leaves them out, and says what it skipped', () => {
    const project = makeProject(
      {
        'tsconfig.json': tsconfig({}, { include: ['**/*.ts'] }),
        '.gitignore': 'node_modules\ngenerated/\n',
        'build/size.ts': leak,
        'generated/size.ts': leak,
      },
      { git: true },
    );
    const run = predictable(project, 'check', '.');
    expect(run.stdout).toContain('build/size.ts');
    expect(run.stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(run.stdout).toContain('skipped 1 file(s) that .gitignore leaves out: generated/size.ts (name them to check them)');

    const named = predictable(project, 'check', 'generated/size.ts');
    expect(named.stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
  });

  it('lists named files that are not TypeScript as skipped', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak, 'README.md': '# hi\n' });
    const run = predictable(project, 'check', 'src/size.ts', 'README.md');
    expect(run.stdout).toContain('skipped 1 file(s) that are not TypeScript: README.md');
    expect(run.status).toBe(1);
  });
});

describe('predictable check: learned resources', () => {
  const fixture = (name: string): string => readFileSync(join(root, 'test/fixtures/learned', name), 'utf8');
  const leakedLease = `import type { LeasePool } from './lease.js';
export async function names(pool: LeasePool): Promise<string[]> {
  const lease = await pool.lease();
  const rows = await lease.query('select name from users');
  lease.release();
  return rows;
}
`;

  it('reports a leak of a type the project releases in finally elsewhere, and lists what it learned', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/lease.ts': fixture('lease.ts'), 'src/sites.ts': fixture('sites.ts'), 'src/names.ts': leakedLease });
    const run = predictable(project, 'check', 'src');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('`Lease` is a resource of this project: 3 other functions that acquire one release it with `release()` in `finally` (e.g. src/sites.ts:8)');
    expect(run.stdout).toContain('learned resources: Lease (release, 3 sites)');
  });

  it('lists nothing learned when no type is released in finally by enough acquirers', () => {
    const project = makeProject({ 'tsconfig.json': tsconfig(), 'src/size.ts': leak });
    const run = predictable(project, 'check', 'src');
    expect(run.stdout).not.toContain('learned resources');
  });
});
