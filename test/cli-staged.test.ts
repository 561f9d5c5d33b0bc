import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { createTempProject, type TempProject } from './codemods/temp-project.js';
import { cliEntry, runPredictable, tsxLoader } from './run-cli.js';


/** Needs nothing from node_modules (a disposable class of its own), so the project can live anywhere. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'esnext.disposable'],
    types: [],
    strict: true,
    noEmit: true,
  },
  include: ['src', 'lib'],
};

// The resource's type lives in another file than the code that leaks it: a finding in a staged
// caller proves the unstaged callee was part of the program.
const CONNECTION = `export class Connection implements Disposable {
  send(message: string): void {
    if (message.length === 0) throw new Error('empty');
  }
  [Symbol.dispose](): void {
    console.info('connection closed');
  }
}

export function connect(): Connection {
  return new Connection();
}
`;
const leakyCaller = (name: string): string => `import { connect } from './connection.js';

export function ${name}(): void {
  const connection = connect();
  connection.send('${name}');
}
`;
const cleanCaller = (name: string): string => `import { connect } from './connection.js';

export function ${name}(): void {
  using connection = connect();
  connection.send('${name}');
}
`;

const projects: TempProject[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

/** A git repository with `src/connection.ts` committed. */
function committedProject(): TempProject {
  const project = createTempProject({ 'src/connection.ts': CONNECTION, 'README.md': '# service\n' }, { git: true, tsconfig: TSCONFIG });
  projects.push(project);
  return project;
}

const predictable = runPredictable;

describe('predictable check --staged', () => {
  it('lints only the staged TypeScript files, with the types of the files they import', () => {
    const project = committedProject();
    project.write('src/staged.ts', leakyCaller('staged'));
    project.write('src/not-staged.ts', leakyCaller('notStaged'));
    project.git('add', 'src/staged.ts');

    const { status, stdout } = predictable(project.root, 'check', '--staged');
    expect(stdout).toContain('src/staged.ts');
    expect(stdout).toMatch(/4:9\s+error\s+`connection` \(Connection from `connect\(\)`, line 4\) is never released/);
    expect(stdout).not.toContain('not-staged.ts');
    expect(stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(status).toBe(1);

    // The neighbour without --staged: the unstaged leak is there to be found.
    expect(predictable(project.root, 'check').stdout).toContain('predictable: 2 problem(s) in 3 file(s)');
  });

  it('takes renamed and copied files and leaves deleted ones out', () => {
    const project = committedProject();
    project.write('src/old-name.ts', leakyCaller('renamed'));
    project.write('src/gone.ts', cleanCaller('gone'));
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'callers');
    project.git('mv', 'src/old-name.ts', 'src/new-name.ts');
    project.git('rm', '-q', 'src/gone.ts');

    const { status, stdout } = predictable(project.root, 'check', '--staged');
    expect(stdout).toContain('src/new-name.ts');
    expect(stdout).not.toContain('gone.ts');
    expect(stdout).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(status).toBe(1);
  });

  it('narrows to the staged files under the paths given', () => {
    const project = committedProject();
    project.write('src/in-src.ts', leakyCaller('inSrc'));
    project.write('lib/connection.ts', CONNECTION);
    project.write('lib/in-lib.ts', leakyCaller('inLib'));
    project.git('add', '.');

    const { status, stdout } = predictable(project.root, 'check', '--staged', 'lib');
    expect(stdout).toContain('lib/in-lib.ts');
    expect(stdout).not.toContain('in-src.ts');
    expect(stdout).toContain('predictable: 1 problem(s) in 2 file(s)');
    expect(status).toBe(1);
  });

  it('says in one line that nothing was checked when no staged file is TypeScript, and passes', () => {
    const project = committedProject();
    project.write('README.md', '# service\n\nNow with a paragraph.\n');
    project.write('src/not-staged.ts', leakyCaller('notStaged'));
    project.git('add', 'README.md');

    const { status, stdout } = predictable(project.root, 'check', '--staged');
    expect(stdout).toBe('predictable: no staged TypeScript files to check\n');
    expect(status).toBe(0);

    // A machine-readable format stays parseable: an empty list, with the line on stderr.
    const json = predictable(project.root, 'check', '--staged', '--format', 'json');
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toContain('predictable: no staged TypeScript files to check');
    expect(json.status).toBe(0);
  });

  it('warns when a staged file changed on disk after git add, since the check reads the disk', () => {
    const project = committedProject();
    project.write('src/edited.ts', cleanCaller('edited'));
    project.git('add', 'src/edited.ts');
    project.write('src/edited.ts', leakyCaller('edited'));

    const { stderr } = predictable(project.root, 'check', '--staged');
    expect(stderr).toContain('staged files have unstaged changes');
    expect(stderr).toMatch(/: src\/edited\.ts\n/);
  });

  it('sees what `git commit <path>` is about to commit from a pre-commit hook', () => {
    // `git commit <path>` and `git commit -a` commit through a temporary index that only the hook's
    // GIT_INDEX_FILE names; a check that read the normal index would see nothing staged here.
    const project = committedProject();
    project.write('src/connection.ts', `${CONNECTION}\nexport function leak(): void {\n  const leaked = connect();\n  leaked.send('x');\n}\n`);
    project.write('.git/hooks/pre-commit', `#!/bin/sh\nexec "${process.execPath}" --import "${tsxLoader}" "${cliEntry}" check --staged\n`);
    chmodSync(project.path('.git/hooks/pre-commit'), 0o755);

    const commit = spawnSync('git', ['commit', '-m', 'leak', 'src/connection.ts'], { cwd: project.root, encoding: 'utf8' });
    // git sends a hook's stdout to its own stderr.
    expect(commit.stderr).toMatch(/`leaked` \(Connection from `connect\(\)`, line \d+\) is never released/);
    expect(commit.status).not.toBe(0);
    expect(project.git('status', '--porcelain')).toBe(' M src/connection.ts\n');
  });

  it('is a usage error outside a git work tree', () => {
    const directory = mkdtempSync(join(tmpdir(), 'predictable-no-git-'));
    try {
      const { status, stderr } = predictable(directory, 'check', '--staged');
      // git names the mount point instead of "the parent directories" when /tmp is a file system of its own.
      expect(stderr).toMatch(/^predictable: --staged needs a git work tree: not a git repository \(or any [^\n]*\n$/);
      expect(status).toBe(2);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
