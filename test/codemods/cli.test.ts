import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';

import { registerCodemodCommand } from '../../codemods/cli.js';
import type { CodemodJsonReport } from '../../codemods/report.js';
import type { Codemod } from '../../codemods/types.js';
import { createGeneratedModule, sampleCodemods } from './sample-codemods.js';
import { useTempProjects } from './temp-project.js';

const tempProject = useTempProjects({ git: true });
afterEach(() => {
  process.exitCode = undefined;
});

interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const testCodemods: Record<string, Codemod> = { ...sampleCodemods, 'create-module': createGeneratedModule({ brokenModule: false }) };

/** Runs `predictable codemod ...` in-process, through a fresh program like the package's entry builds. */
async function runCli(cwd: string, args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const program = new Command('predictable').exitOverride();
  program.configureOutput({
    writeOut: (text) => (stdout += text),
    writeErr: (text) => (stderr += text),
  });
  registerCodemodCommand(program, { codemods: testCodemods, cwd });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['codemod', ...args], { from: 'user' });
    const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return { exitCode, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode, stdout, stderr };
    throw error;
  } finally {
    process.exitCode = undefined;
  }
}

describe('predictable codemod', () => {
  it('converts, prints a summary with every conversion and refusal as file:line, and exits 0', async () => {
    const project = tempProject({ 'src/a.ts': 'var a = 1;\nfor (var i of []) {}\n' });
    const result = await runCli(project.root, ['var-to-let', 'src']);
    expect(result.exitCode).toBe(0);
    expect(project.read('src/a.ts')).toBe('let a = 1;\nfor (var i of []) {}\n');
    expect(result.stdout).toBe(
      [
        'Converted:',
        '  src/a.ts:1 var → let',
        'Refused:',
        '  src/a.ts:2 loop variable: `let` would give each iteration its own binding',
        'var-to-let: 1 scanned, 1 changed, 0 unchanged, 0 skipped, 0 errored; 1 converted, 1 refused',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toContain('var-to-let: analysing 1 file\n');
  });

  it('passes codemod options, validated against their choices', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    expect((await runCli(project.root, ['var-to-let', '--keyword', 'var'])).exitCode).toBe(2);
    expect((await runCli(project.root, ['var-to-let', '--keyword', 'const'])).exitCode).toBe(0);
    expect(project.read('a.ts')).toBe('const a = 1;\n');
  });

  it('rejects an option that belongs to another codemod with exit code 2', async () => {
    const project = tempProject({ 'a.ts': 'const a = 1;\n' });
    const result = await runCli(project.root, ['stringify-numbers', '--keyword', 'let']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("option '--keyword' does not apply to codemod 'stringify-numbers'");
    expect(project.read('a.ts')).toBe('const a = 1;\n');
  });

  it('lists the available codemods for an unknown name, exit code 2', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const result = await runCli(project.root, ['to-nothing']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown codemod 'to-nothing'. Available codemods: create-module, explode-on-marker, stringify-numbers, var-to-let");
  });

  it('exits 2 on commander usage errors and on a path that does not exist', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    expect((await runCli(project.root, ['var-to-let', '--no-such-flag'])).exitCode).toBe(2);
    expect((await runCli(project.root, [])).exitCode).toBe(2);
    const missing = await runCli(project.root, ['var-to-let', 'missing']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('path does not exist: missing');
  });

  it('exits 1 when a file errored, after converting the others', async () => {
    const project = tempProject({ 'explode.ts': '// explode\nvar x = 1;\n', 'fine.ts': 'var y = 1;\n' });
    const result = await runCli(project.root, ['explode-on-marker']);
    expect(result.exitCode).toBe(1);
    expect(project.read('fine.ts')).toBe('let y = 1;\n');
    expect(result.stdout).toMatch(/Errored:\n {2}explode\.ts the codemod failed on this file: cannot handle/);
  });

  it('writes nothing with --dry and says so', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const result = await runCli(project.root, ['var-to-let', '--dry']);
    expect(project.read('a.ts')).toBe('var a = 1;\n');
    expect(result.stdout).toContain('1 would change');
    expect(result.stdout).toContain('(dry run, nothing written)');
  });

  it('prints a machine-readable report with --json and nothing else on stdout', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\nfor (var i of []) {}\n', 'broken.ts': 'var = ;\n' });
    const result = await runCli(project.root, ['var-to-let', '--json']);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as CodemodJsonReport;
    expect(report).toEqual({
      codemod: 'var-to-let',
      dry: false,
      cwd: project.root,
      tsconfig: 'tsconfig.json',
      counts: { scanned: 2, changed: 1, created: 0, unchanged: 0, skipped: 1, errored: 0 },
      files: [
        { file: 'a.ts', status: 'changed' },
        { file: 'broken.ts', status: 'skipped', reason: expect.stringMatching(/^cannot parse it/) as unknown },
      ],
      conversions: [{ file: 'a.ts', line: 1, reason: 'var → let' }],
      refusals: [{ file: 'a.ts', line: 2, reason: 'loop variable: `let` would give each iteration its own binding' }],
      warnings: [],
    });
  });

  it('prints a --diff that git apply accepts, creating files included, with the summary on stderr', async () => {
    const project = tempProject({ 'src/main.ts': '// use-generated\nexport const total = 1;\n', 'src/other.ts': 'var a = 1;\n' });
    const created = await runCli(project.root, ['create-module', 'src', '--dry', '--diff']);
    const changed = await runCli(project.path('src'), ['var-to-let', '.', '--dry', '--diff']);
    expect(created.stdout).toContain('--- /dev/null\n+++ b/src/generated.ts\n');
    expect(changed.stdout).toContain('--- a/src/other.ts\n+++ b/src/other.ts\n');
    expect(changed.stderr).toContain('var-to-let: 2 scanned, 1 would change, 1 unchanged');

    const patch = created.stdout + changed.stdout;
    const check = spawnSync('git', ['apply', '--check', '-'], { cwd: project.root, input: patch, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
    spawnSync('git', ['apply', '-'], { cwd: project.root, input: patch, encoding: 'utf8' });
    expect(project.read('src/generated.ts')).toBe('export const generated = 1;\n');
    expect(project.read('src/main.ts')).toBe("import { generated } from './generated.js';\n// use-generated\nexport const total = 1;\n");
    expect(project.read('src/other.ts')).toBe('let a = 1;\n');
  });

  it('prints new file contents with --print', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const result = await runCli(project.root, ['var-to-let', '--print', '--dry']);
    expect(result.stdout).toBe('// a.ts\nlet a = 1;\n');
  });

  it('refuses dirty files unless --force, and leaves marks with --mark', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    project.write('a.ts', 'for (var i of []) {}\n');
    const refused = await runCli(project.root, ['var-to-let', '--mark']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^error: refusing to run: 1 file\(s\) to transform have uncommitted work: a\.ts; .*pass --force\n/);
    expect(project.read('a.ts')).toBe('for (var i of []) {}\n');

    await runCli(project.root, ['var-to-let', '--mark', '--force']);
    expect(project.read('a.ts')).toBe('// predictable-codemod: loop variable: `let` would give each iteration its own binding\nfor (var i of []) {}\n');
  });

  it('calls a glob that matches nothing a usage error, not a run of 0 files', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const result = await runCli(project.root, ['var-to-let', 'src/**/*.ts']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('error: no files to transform: src/**/*.ts matched no .ts/.tsx/.mts/.cts file (declaration files and node_modules are never transformed)\n');
  });

  it('honours --extensions and a repeated --ignore-pattern', async () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n', 'b.mts': 'var b = 1;\n', 'c.mts': 'var c = 1;\n', 'd.mts': 'var d = 1;\n' });
    const result = await runCli(project.root, ['var-to-let', '--json', '--extensions', 'mts', '--ignore-pattern', 'c.*', '--ignore-pattern', 'd.mts']);
    expect((JSON.parse(result.stdout) as CodemodJsonReport).files.map((file) => file.file)).toEqual(['b.mts']);
  });
});

describe('predictable codemod, end to end', () => {
  const entry = fileURLToPath(new URL('cli-entry.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

  it('runs as a process: real argv, stdout and exit codes', () => {
    const project = tempProject({ 'a.ts': 'var a = 1;\n' });
    const run = (...args: string[]) => spawnSync(tsx, [entry, 'codemod', ...args], { cwd: project.root, encoding: 'utf8' });

    const unknown = run('to-nothing');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Available codemods:');

    const converted = run('var-to-let', '--json');
    expect(converted.status).toBe(0);
    expect((JSON.parse(converted.stdout) as CodemodJsonReport).counts.changed).toBe(1);
    expect(project.read('a.ts')).toBe('let a = 1;\n');
  });
});
