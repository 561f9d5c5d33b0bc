import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

/** A tsconfig that needs nothing from node_modules, so a project can live anywhere on disk. */
export const STANDALONE_TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, lib: ['ES2023'], types: [], noEmit: true },
};

export interface TempProject {
  root: string;
  path: (relativePath: string) => string;
  read: (relativePath: string) => string;
  write: (relativePath: string, text: string) => void;
  git: (...args: string[]) => string;
  /** Every file under the root, relative, sorted (without `.git`). */
  listFiles: () => string[];
  remove: () => void;
}

/** A real directory in the system temp folder with the given files and, when asked, a git repository with them committed. */
export function createTempProject(files: Record<string, string>, settings: { git: boolean; tsconfig?: object }): TempProject {
  const root = mkdtempSync(join(tmpdir(), 'predictable-codemod-'));
  const project: TempProject = {
    root,
    path: (relativePath) => join(root, relativePath),
    read: (relativePath) => readFileSync(join(root, relativePath), 'utf8'),
    write: (relativePath, text) => {
      mkdirSync(dirname(join(root, relativePath)), { recursive: true });
      writeFileSync(join(root, relativePath), text);
    },
    git: (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }),
    listFiles: () =>
      (readdirSync(root, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
        .filter((entry) => entry.isFile() && !entry.parentPath.split(/[\\/]/).includes('.git'))
        .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
        .sort(),
    remove: () => {
      rmSync(root, { recursive: true, force: true });
    },
  };
  project.write('tsconfig.json', `${JSON.stringify(settings.tsconfig ?? STANDALONE_TSCONFIG, null, 2)}\n`);
  for (const [relativePath, text] of Object.entries(files)) {
    project.write(relativePath, text);
  }
  if (settings.git) {
    project.git('init', '-q');
    project.git('config', 'user.email', 'codemod-test@example.invalid');
    project.git('config', 'user.name', 'codemod test');
    project.git('config', 'commit.gpgsign', 'false');
    project.git('add', '.');
    project.git('commit', '-q', '-m', 'fixture');
  }
  return project;
}

/**
 * A `tempProject(files, git?)` for one test file: every project it creates is removed after each
 * test, so a failing assertion never leaves folders behind.
 */
export function useTempProjects(settings: { git: boolean }): (files: Record<string, string>, git?: boolean) => TempProject {
  const projects: TempProject[] = [];
  afterEach(() => {
    for (const project of projects.splice(0)) project.remove();
  });
  return (files, git = settings.git) => {
    const project = createTempProject(files, { git });
    projects.push(project);
    return project;
  };
}
