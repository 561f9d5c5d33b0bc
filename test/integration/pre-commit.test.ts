/**
 * What a new user does, for real, with this package installed from `npm pack` next to a copy of
 * the example service: install it (cleanly), paste the README's `eslint.config.js`, and wire the
 * README's pre-commit set-ups, where `git commit` is refused for a change that adds a leak, then
 * accepted once the leak is fixed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { packThisPackage } from '../packed-package.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples/leaky-service');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

// The hook tools a user on this package's oldest Node gets (lint-staged 17 needs Node 22), pinned
// so that a new release cannot change what this test means.
const HOOK_TOOLS = ['lint-staged@16.4.0', 'simple-git-hooks@2.14.0'];

/** The same versions this repository is tested with, so npm finds them in its cache. */
function installedVersion(name: string): string {
  const { version } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return `${name}@${version}`;
}

/** The ```language blocks under the README heading `## title` or `### title`, so the test runs what the README says. */
function readmeBlocks(title: string, language: string): string[] {
  const section = readme.split(/^#{2,3} /m).find((part) => part.startsWith(`${title}\n`)) ?? '';
  return [...section.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, 'gm'))].map((match) => match[1] ?? '');
}

/** The first such block. */
function readmeBlock(title: string, language: string): string {
  const [block] = readmeBlocks(title, language);
  if (block === undefined) {
    throw new Error(`README has no \`\`\`${language} block under "### ${title}"`);
  }
  return block;
}

// domain.ts has no findings; this adds one. An import may follow other statements in a module, so
// the change is an append, like a real diff at the end of a file.
const LEAK = `
import { open } from 'node:fs/promises';

export async function exportCatalog(path: string): Promise<void> {
  const file = await open(path, 'w');
  await file.writeFile(JSON.stringify(catalog));
  await file.close();
}
`;
const FIX = `
import { open } from 'node:fs/promises';

export async function exportCatalog(path: string): Promise<void> {
  await using file = await open(path, 'w');
  await file.writeFile(JSON.stringify(catalog));
}
`;
const FINDING = /`file` \(FileHandle from `open\(\)`, line \d+\) is released only when nothing throws[^\n]*predictable\/no-undisposed-resources/;

let workspace: string;
let installed: string;
let installOutput: string;

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'predictable-pre-commit-'));
  const tarball = packThisPackage(join(workspace, 'pack'));
  installed = join(workspace, 'installed');
  mkdirSync(installed);
  writeFileSync(join(installed, 'package.json'), '{ "private": true }\n');
  // typescript-eslint as a new user gets it, the newest 8.x: the plugin's caret ranges must share
  // its packages instead of installing a second copy next to them.
  const versions = [...['eslint', 'typescript', '@types/node', 'async-mutex'].map(installedVersion), 'typescript-eslint@8'];
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball, ...versions, ...HOOK_TOOLS], {
    cwd: installed,
    encoding: 'utf8',
  });
  installOutput = `${install.stdout}${install.stderr}`;
  if (install.status !== 0) {
    throw new Error(`npm install failed:\n${installOutput}`);
  }
}, 600_000);

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

/**
 * The environment without what vitest adds: a user's `git commit` has no NODE_ENV=test, and with
 * it lint-staged's task list (listr2) switches to a test renderer that prints JSON events.
 */
function asUserEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST')));
}

interface Repository {
  root: string;
  run: (command: string, args: readonly string[], env?: NodeJS.ProcessEnv) => { status: number | null; output: string };
  git: (...args: string[]) => string;
  write: (relativePath: string, text: string) => void;
  append: (relativePath: string, text: string) => void;
  commits: () => number;
}

/**
 * A repository with the example service committed (before any hook exists: the example is leaky on
 * purpose) and the shared installation linked in as its node_modules.
 */
function createRepository(name: string, packageJsonFields: object): Repository {
  const directory = join(workspace, name);
  cpSync(join(example, 'src'), join(directory, 'src'), { recursive: true });
  cpSync(join(example, 'tsconfig.json'), join(directory, 'tsconfig.json'));
  const examplePackage = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8')) as object;
  writeFileSync(join(directory, 'package.json'), `${JSON.stringify({ ...examplePackage, ...packageJsonFields }, null, 2)}\n`);
  writeFileSync(join(directory, '.gitignore'), 'node_modules\n');
  symlinkSync(join(installed, 'node_modules'), join(directory, 'node_modules'), 'dir');

  const run: Repository['run'] = (command, args, env = process.env) => {
    const result = spawnSync(command, args, { cwd: directory, encoding: 'utf8', env: { ...asUserEnvironment(env), FORCE_COLOR: '0', NO_COLOR: '1' } });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  };
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: directory, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.email', 'pre-commit-test@example.invalid');
  git('config', 'user.name', 'pre-commit test');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', 'the example service');
  return {
    root: directory,
    run,
    git,
    write: (relativePath, text) => {
      writeFileSync(join(directory, relativePath), text);
    },
    append: (relativePath, text) => {
      writeFileSync(join(directory, relativePath), readFileSync(join(directory, relativePath), 'utf8') + text);
    },
    commits: () => Number(git('rev-list', '--count', 'HEAD').trim()),
  };
}

/** Stages the leak and tries to commit it; then stages the fix over it and commits that. */
function expectLeakRefusedAndFixCommitted(repository: Repository): void {
  repository.append('src/domain.ts', LEAK);
  repository.git('add', 'src/domain.ts');
  const refused = repository.run('git', ['commit', '-m', 'export the catalog']);
  expect(refused.output).toMatch(FINDING);
  expect(refused.status).not.toBe(0);
  expect(repository.commits()).toBe(1);

  repository.write('src/domain.ts', repository.git('show', 'HEAD:src/domain.ts') + FIX);
  repository.git('add', 'src/domain.ts');
  const accepted = repository.run('git', ['commit', '-m', 'export the catalog']);
  expect(accepted.output).not.toContain('predictable/');
  expect(accepted.status).toBe(0);
  expect(repository.commits()).toBe(2);
}

describe('installing the packed package and configuring it as the README says', () => {
  it('installs without a second typescript-eslint and without running a script of its own', () => {
    expect(installOutput).not.toMatch(/eslint-plugin-predictable@[^\n]*\((prepare|install|postinstall)/);
    const tree = JSON.parse(
      execFileSync('npm', ['ls', '--all', '--json', '@typescript-eslint/utils'], { cwd: installed, encoding: 'utf8' }),
    ) as object;
    const versions = new Set([...JSON.stringify(tree).matchAll(/"@typescript-eslint\/utils":\{"version":"([^"]+)"/g)].map((match) => match[1]));
    expect([...versions]).toHaveLength(1);
    // The configurations below are the README's: without them this file would test nothing.
    expect(readmeBlocks('Configure', 'js')).toHaveLength(2);
  });

  it.each(readmeBlocks('Configure', 'js').map((config, index) => [index + 1, config] as const))(
    'eslint.config.js number %i lints the example with typed rules, and itself without a parsing error',
    { timeout: 180_000 },
    (_number, config) => {
      const repository = createRepository(`config-${String(_number)}`, {});
      repository.write('eslint.config.js', config);
      repository.append('src/domain.ts', LEAK);
      const lint = repository.run(join(repository.root, 'node_modules/.bin/eslint'), ['.']);
      expect(lint.output).toMatch(FINDING);
      expect(lint.output).not.toMatch(/Parsing error|was not found by the project service/);
      expect(lint.status).toBe(1);
    },
  );
});

describe('pre-commit hooks from the README, with the packed package', () => {
  it('lint-staged with simple-git-hooks refuses a commit that adds a leak, and takes its fix', { timeout: 180_000 }, () => {
    const repository = createRepository('lint-staged', JSON.parse(readmeBlock('lint-staged', 'json')) as object);
    const install = repository.run('npx', ['--no-install', 'simple-git-hooks']);
    expect(install.status, install.output).toBe(0);
    expect(readFileSync(join(repository.root, '.git/hooks/pre-commit'), 'utf8')).toContain('npx lint-staged');

    expectLeakRefusedAndFixCommitted(repository);
  });

  it('a plain git hook running `predictable check --staged` does the same, and passes a commit without TypeScript', { timeout: 180_000 }, () => {
    const repository = createRepository('plain-hook', {});
    const hook = readmeBlock('A plain git hook', 'sh');
    expect(hook).toContain('predictable check --staged');
    repository.write('.git/hooks/pre-commit', hook);
    chmodSync(join(repository.root, '.git/hooks/pre-commit'), 0o755);

    expectLeakRefusedAndFixCommitted(repository);

    // The example's own leaks are committed; a hook that linted every file would refuse this too.
    repository.write('NOTES.md', 'Catalog exports go to the path the caller gives.\n');
    repository.git('add', 'NOTES.md');
    const docsOnly = repository.run('git', ['commit', '-m', 'notes']);
    expect(docsOnly.output).toContain('predictable: no staged TypeScript files to check');
    expect(docsOnly.status).toBe(0);
  });

  it("the pre-commit framework's hook entry, run as pre-commit runs it, reports the leak in the files it is given", { timeout: 180_000 }, () => {
    const repository = createRepository('pre-commit', {});
    const [hook] = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as { entry: string }[];
    const [command = '', ...args] = (hook?.entry ?? '').split(' ');
    // pre-commit puts its environment's bin directory first on the PATH and appends the file names.
    const env = { ...process.env, PATH: `${join(repository.root, 'node_modules/.bin')}${delimiter}${process.env.PATH ?? ''}` };

    repository.append('src/domain.ts', LEAK);
    const leak = repository.run(command, [...args, 'src/domain.ts'], env);
    expect(leak.output).toMatch(FINDING);
    expect(leak.output).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(leak.status).toBe(1);

    repository.write('src/domain.ts', repository.git('show', 'HEAD:src/domain.ts') + FIX);
    const fixed = repository.run(command, [...args, 'src/domain.ts'], env);
    expect(fixed.output).toContain('predictable: no problems in 1 file(s)');
    expect(fixed.status).toBe(0);
  });
});
