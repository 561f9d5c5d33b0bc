import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface PackageJson {
  files: string[];
}

/**
 * `npm pack` of this package as it is in the work tree, freshly compiled, written to
 * `destination`; returns the tarball's path. It compiles into a copy of its own rather than into
 * `dist/`, because other tests (`npm run demo`) rebuild and run `dist/` at the same time, and a
 * tarball taken while tsc rewrites a file could hold half of it.
 */
export function packThisPackage(destination: string): string {
  const staging = join(destination, 'package');
  mkdirSync(staging, { recursive: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(staging, 'dist')], { stdio: 'pipe' });
  const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  // What `files` lists besides the compiled output (npm adds package.json, README and LICENSE itself).
  const sources = ['package.json', 'README.md', 'LICENSE', ...packageJson.files.filter((entry) => !entry.startsWith('!') && entry !== 'dist')];
  for (const entry of new Set(sources)) {
    if (existsSync(join(root, entry))) {
      cpSync(join(root, entry), join(staging, entry), { recursive: true });
    }
  }
  // --ignore-scripts: `prepare` would build again, into this copy's dist/, from sources it does not have.
  const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], { cwd: staging, encoding: 'utf8' });
  const [entry] = JSON.parse(output) as { filename: string }[];
  if (entry === undefined) {
    throw new Error(`npm pack printed no tarball: ${output}`);
  }
  return join(destination, entry.filename);
}
