import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import plugin from '../index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('README', () => {
  it('gives a newcomer exactly two set-up commands, and both scripts exist', () => {
    const tryIt = /## Try it[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = tryIt
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line.length > 0);
    expect(commands).toEqual(['npm ci && npm run demo', 'npm ci && npm test']);
    expect(packageJson.scripts.demo).toBeDefined();
    expect(packageJson.scripts.test).toBe('vitest run');
  });

  it('describes every rule in a paragraph of its own', () => {
    for (const ruleName of Object.keys(plugin.rules)) {
      expect(readme).toContain(`**\`${ruleName}\`**`);
    }
  });

  it('.ci/run runs the README test command', () => {
    const ciScript = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(ciScript).toMatch(/^npm test$/m);
    expect(ciScript).toMatch(/^npm ci\b/m);
  });
});

describe('npm run demo', () => {
  // The first command a newcomer runs: it must build, audit the example and find every story the
  // shipped rules cover.
  it('audits the example service and shows what each rule finds', () => {
    const result = spawnSync('npm', ['run', 'demo', '--silent'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    expect(result.stderr).not.toMatch(/demo: .* ended with/);
    expect(result.status).toBe(0);
    for (const ruleName of Object.keys(plugin.rules)) {
      expect(result.stdout).toContain(`predictable/${ruleName}`);
    }
  }, 300_000);
});
