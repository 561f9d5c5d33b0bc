import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { minimatch } from 'minimatch';

import { CheckUsageError, TYPESCRIPT_FILES } from './check.js';
import { isAtOrUnder } from './paths.js';

const execFileAsync = promisify(execFile);

/** What `predictable check --staged` lints: files that are staged, narrowed to TypeScript and to the paths asked for. */
export interface StagedFiles {
  /** Absolute paths of the staged TypeScript files under the requested paths that exist in the working tree. */
  files: string[];
  /**
   * Staged files whose working-tree copy differs from the staged one (changed or deleted after
   * `git add`). ESLint reads files from disk, so for these the check is not of what gets committed.
   */
  differFromIndex: string[];
}

export interface StagedFilesOptions {
  /** Only staged files at or under these paths (relative to `cwd`) count. */
  paths: readonly string[];
  cwd: string;
}

interface GitFailure {
  code?: unknown;
  stderr?: unknown;
}

function isGitFailure(error: unknown): error is Error & GitFailure {
  return error instanceof Error;
}

/**
 * Runs git as a child process, inheriting the environment on purpose: inside a pre-commit hook
 * git sets GIT_INDEX_FILE (a temporary index for `git commit -a` or `git commit <paths>`), and only
 * that index holds what is about to be committed.
 */
async function git(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    if (isGitFailure(error) && error.code === 'ENOENT') {
      throw new CheckUsageError('--staged needs git, and no git executable is on the PATH');
    }
    throw error;
  }
}

/** The root of the work tree that holds `cwd`, or a usage error that says why there is none. */
async function findWorkTreeRoot(cwd: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--show-toplevel'], cwd)).trim();
  } catch (error) {
    if (isGitFailure(error) && typeof error.stderr === 'string' && error.stderr.length > 0) {
      // git's own first line ("not a git repository (or any of the parent directories): .git",
      // "this operation must be run in a work tree") is the clearest reason there is.
      const reason = error.stderr.split('\n')[0]?.replace(/^fatal: /, '') ?? '';
      throw new CheckUsageError(`--staged needs a git work tree: ${reason}`);
    }
    throw error;
  }
}

/** `git diff -z --name-only` output as work-tree-relative paths. */
function splitNulSeparated(output: string): string[] {
  return output.split('\0').filter((path) => path.length > 0);
}

/**
 * The TypeScript files staged for the next commit (added, copied, modified or renamed; a deletion
 * has nothing left to lint). Only the file list is narrowed: the check still builds the whole
 * program from the tsconfig, so a staged file is judged with the types of every file it imports.
 */
export async function findStagedTypeScriptFiles(options: StagedFilesOptions): Promise<StagedFiles> {
  const requested = options.paths.map((path) => resolve(options.cwd, path));
  const missing = requested.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new CheckUsageError(`no such file or directory: ${missing.join(', ')}`);
  }
  const root = await findWorkTreeRoot(options.cwd);
  // git prints the work tree's real path; a requested path may go through a symlink (macOS's
  // /tmp is one), and the two must compare equal.
  const requestedReal = requested.map((path) => realpathSync.native(path));

  // Run from the root, so the paths are root-relative even when the user's `diff.relative` is set.
  const staged = splitNulSeparated(await git(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR'], root));
  const unstaged = new Set(splitNulSeparated(await git(['diff', '--name-only', '-z'], root)));

  const files: string[] = [];
  const differFromIndex: string[] = [];
  for (const relativePath of staged) {
    if (!TYPESCRIPT_FILES.some((pattern) => minimatch(relativePath, pattern, { dot: true }))) {
      continue;
    }
    const file = join(root, relativePath);
    if (!requestedReal.some((path) => isAtOrUnder(file, path))) {
      continue;
    }
    if (unstaged.has(relativePath)) {
      differFromIndex.push(file);
    }
    if (existsSync(file)) {
      files.push(file);
    }
  }
  return { files, differFromIndex };
}

/** The one-line note the CLI prints for files whose check is not of what gets committed. */
export function describeFilesThatDifferFromIndex(staged: StagedFiles, cwd: string): string | undefined {
  if (staged.differFromIndex.length === 0) {
    return undefined;
  }
  const names = staged.differFromIndex.map((file) => relative(cwd, file)).join(', ');
  return `predictable: these staged files have unstaged changes, and the check reads the disk, not what gets committed: ${names}`;
}
