import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { type CliRun, runPredictable } from './run-cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function predictable(...args: string[]): CliRun {
  return runPredictable(root, ...args);
}

describe('predictable check', () => {
  it('reports a leak with the stylish formatter, a per-rule summary and exit 1', () => {
    const { status, stdout } = predictable('check', 'test/fixtures/check/leaky');
    expect(stdout).toContain('report.ts');
    expect(stdout).toMatch(/4:\d+\s+error\s+.*predictable\/no-undisposed-resources/);
    expect(stdout).toContain('predictable/no-undisposed-resources: 1 problem');
    expect(status).toBe(1);
  });

  it('lists files no tsconfig includes as skipped, and never loads the project ESLint config', () => {
    const { stdout } = predictable('check', 'test/fixtures/check/leaky');
    expect(stdout).toMatch(/skipped 1 file\(s\) that no tsconfig\.json includes: .*outside\.ts/);
  });

  it('exits 0 and says so when nothing is found', () => {
    const { status, stdout } = predictable('check', 'test/fixtures/check/clean');
    expect(stdout).toContain('predictable: no problems in 1 file(s)');
    expect(status).toBe(0);
  });

  it('passes --format json through with parseable stdout and the summary on stderr', () => {
    const { status, stdout, stderr } = predictable('check', '--format', 'json', 'test/fixtures/check/leaky');
    const results = JSON.parse(stdout) as { filePath: string; messages: { ruleId: string | null }[] }[];
    expect(results.flatMap((result) => result.messages.map((message) => message.ruleId))).toEqual([
      'predictable/no-undisposed-resources',
    ]);
    expect(stderr).toContain('predictable: 1 problem(s) in 1 file(s)');
    expect(status).toBe(1);
  });

  it('exits 2 with a clear message on bad usage', () => {
    const missing = predictable('check', 'test/fixtures/check/does-not-exist');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');

    const unknownOption = predictable('check', '--no-such-flag');
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('exits 2 when no tsconfig.json is found, because the rules need types', () => {
    const { status, stderr } = predictable('check', '/tmp');
    expect(stderr).toContain('no tsconfig.json at or above');
    expect(status).toBe(2);
  });
});

describe('predictable', () => {
  it('prints its version and help without failing', () => {
    expect(predictable('--version').status).toBe(0);
    const help = predictable('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('check');
    expect(help.stdout).toContain('codemod');
  });
});
