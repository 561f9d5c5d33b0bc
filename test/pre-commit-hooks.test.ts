import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  repository: { url: string };
}

const manifest: unknown = parse(readFileSync(new URL('../.pre-commit-hooks.yaml', import.meta.url), 'utf8'));
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

// The keys pre-commit's manifest accepts (https://pre-commit.com/#new-hooks); it only warns about
// others, so a misspelt `type_or` would quietly run the hook on every file.
const MANIFEST_KEYS = new Set([
  'id', 'name', 'entry', 'language', 'files', 'exclude', 'types', 'types_or', 'exclude_types', 'always_run', 'fail_fast',
  'verbose', 'pass_filenames', 'require_serial', 'description', 'language_version', 'minimum_pre_commit_version', 'args',
  'stages', 'additional_dependencies', 'alias', 'log_file',
]);

describe('.pre-commit-hooks.yaml', () => {
  it('is a list of hooks with only the keys pre-commit knows', () => {
    expect(Array.isArray(manifest)).toBe(true);
    for (const hook of manifest as Record<string, unknown>[]) {
      expect(Object.keys(hook).filter((key) => !MANIFEST_KEYS.has(key))).toEqual([]);
      for (const required of ['id', 'name', 'entry', 'language']) {
        expect(typeof hook[required]).toBe('string');
      }
    }
  });

  it('runs the CLI this package installs on the staged TypeScript files, in one process', () => {
    const [hook] = manifest as Record<string, unknown>[];
    expect(hook).toMatchObject({
      id: 'predictable',
      language: 'node',
      types_or: ['ts', 'tsx'],
      pass_filenames: true,
      require_serial: true,
    });
    const [command, ...args] = String(hook?.entry).split(' ');
    expect(Object.keys(packageJson.bin)).toContain(command);
    // pre-commit appends the file names itself; --staged would check what git has staged instead.
    expect(args).toEqual(['check']);
  });

  it("is what the README's .pre-commit-config.yaml asks for: this repository, this version's tag, this hook", () => {
    const snippet = /### pre-commit\n[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    const config = parse(snippet ?? '') as { repos: { repo: string; rev: string; hooks: { id: string }[] }[] };
    const repositoryUrl = packageJson.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(config.repos).toEqual([{ repo: repositoryUrl, rev: `v${packageJson.version}`, hooks: [{ id: 'predictable' }] }]);
    expect((manifest as { id: string }[]).map((hook) => hook.id)).toContain('predictable');
  });
});
