/**
 * `npm run demo`: what a newcomer sees first. Audits the bundled example service with the built CLI,
 * then shows, without writing anything, the diff each codemod would apply to it.
 *
 * Findings are the point of the demo, so `check` exiting 1 is success here; a usage error (2) or a
 * crash is not.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { codemods } from '../codemods/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = 'examples/leaky-service';

function run(title: string, args: string[], acceptedExitCodes: readonly number[]): void {
  console.log(`\n$ predictable ${args.join(' ')}    # ${title}\n`);
  const result = spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: root, stdio: 'inherit' });
  if (result.status === null || !acceptedExitCodes.includes(result.status)) {
    console.error(`demo: \`predictable ${args.join(' ')}\` ended with ${result.signal ?? String(result.status)}`);
    process.exit(1);
  }
}

run('what the rules find', ['check', example], [0, 1]);
for (const name of Object.keys(codemods)) {
  // --force: the example is committed and clean, but a dry run writes nothing either way.
  run(`what ${name} would change (dry run)`, ['codemod', name, example, '--dry', '--diff', '--force'], [0]);
}

console.log(`
What next, in your own project:
  npx predictable check src/                          audit it, no configuration needed
  npx predictable codemod to-using src/ --dry --diff  preview the using rewrite of what it found
  eslint.config.js, pre-commit hooks and CI:          see "Configure", "Pre-commit hooks" and "CI" in README.md
`);
