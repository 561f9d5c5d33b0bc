/**
 * Checks what `npm pack` would publish: what a user needs (the built plugin, the CLI, the codemods,
 * the docs the rules link to) and none of what only this repository needs (tests, fixtures, sources).
 */
import { execFileSync } from 'node:child_process';

interface PackEntry {
  files: { path: string }[];
}

const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' });
const [entry] = JSON.parse(output) as PackEntry[];
const paths = new Set((entry?.files ?? []).map((file) => file.path));

const required = [
  'package.json',
  'README.md',
  'dist/index.js',
  'dist/index.d.ts',
  'dist/cli.js',
  'dist/codemods/index.js',
  'dist/codemods/index.d.ts',
  'docs/rules/no-undisposed-resources.md',
  'docs/rules/no-non-null-assertion-in-hot-path.md',
  'docs/rules/no-lock-across-await.md',
  'docs/rules/no-floating-without-abort.md',
  'docs/rules/no-unbounded-queue.md',
];
const missing = required.filter((path) => !paths.has(path));
const forbidden = [...paths].filter((path) => /^(test|examples|bench|scripts|rules|analysis|codemods)\//.test(path) || path.endsWith('.test.js'));

if (missing.length > 0 || forbidden.length > 0) {
  if (missing.length > 0) console.error(`npm pack is missing: ${missing.join(', ')}`);
  if (forbidden.length > 0) console.error(`npm pack should not contain: ${forbidden.join(', ')}`);
  process.exit(1);
}
console.log(`npm pack: ${String(paths.size)} files, everything a user needs and no tests`);
