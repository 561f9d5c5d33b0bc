import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Compiles codemod modules as `npm run build` does, for the real jscodeshift CLI to `require()`:
 * into a git-ignored folder inside the repository, where `type: module` and node_modules apply.
 * `include` is relative to the repository root. Answers the build folder; the output is in `out/`.
 */
export function buildForJscodeshift(label: string, include: readonly string[]): string {
  const buildDirectory = mkdtempSync(join(repositoryRoot, `.predictable-tmp-jscodeshift-${label}-`));
  writeFileSync(
    join(buildDirectory, 'tsconfig.json'),
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { noEmit: false, declaration: false, sourceMap: false, rootDir: '..', outDir: 'out' },
      include: include.map((path) => `../${path}`),
      exclude: [],
    }),
  );
  const build = spawnSync(process.execPath, [join(repositoryRoot, 'node_modules/typescript/bin/tsc'), '-p', join(buildDirectory, 'tsconfig.json')], {
    encoding: 'utf8',
  });
  const output = build.stdout + build.stderr;
  if (build.status !== 0 || output !== '') {
    rmSync(buildDirectory, { recursive: true, force: true });
    throw new Error(`building the transforms for jscodeshift failed:\n${output}`);
  }
  return buildDirectory;
}

/** Runs the real jscodeshift CLI installed in the repository. */
export function runJscodeshift(cwd: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(repositoryRoot, 'node_modules/.bin/jscodeshift'), ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, output: result.stdout + result.stderr };
}
