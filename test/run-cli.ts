import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const cliEntry = fileURLToPath(new URL('../cli.ts', import.meta.url));
// Resolved from this repository, so the CLI runs through tsx from any directory (a temporary
// project has no tsx of its own) and the tests need no build.
export const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `predictable` CLI in `cwd`, as a user would, without colours. */
export function runPredictable(cwd: string, ...args: string[]): CliRun {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
