import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project, ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';

import { runCodemod } from '../../codemods/runner.js';
import type { Codemod } from '../../codemods/types.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The settings every fixture is checked under: what the codemods' docs tell users to enable. */
export const FIXTURE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'esnext.disposable'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
};

export interface CodemodFixture {
  name: string;
  input: string;
  /** `undefined` for a refusal case: the file must come out byte-identical, with a refusal reported. */
  output: string | undefined;
  options: Record<string, unknown>;
}

/** The cases in `directory`: `<case>.input.ts`, optional `<case>.output.ts` and `<case>.options.json`. */
export function readCodemodFixtures(directory: string): CodemodFixture[] {
  const read = (fileName: string): string | undefined => (existsSync(join(directory, fileName)) ? readFileSync(join(directory, fileName), 'utf8') : undefined);
  return readdirSync(directory)
    .filter((fileName) => fileName.endsWith('.input.ts'))
    .sort()
    .map((fileName) => {
      const name = fileName.slice(0, -'.input.ts'.length);
      const options = read(`${name}.options.json`);
      return {
        name,
        input: read(fileName) ?? '',
        output: read(`${name}.output.ts`),
        options: options === undefined ? {} : (JSON.parse(options) as Record<string, unknown>),
      };
    });
}

/**
 * Runs one fixture on a real copy on disk and throws when the codemod gets it wrong: exact output
 * (or byte-identical input plus a refusal), an output that type-checks, and a second run that
 * changes nothing. The copy lives inside the repository (in a git-ignored `.predictable-tmp-*`
 * folder) so that `types: ["node"]` and the fixtures' imports resolve from node_modules.
 */
export async function checkCodemodFixture(codemod: Codemod, fixture: CodemodFixture): Promise<void> {
  const directory = mkdtempSync(join(repositoryRoot, '.predictable-tmp-fixture-'));
  try {
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(FIXTURE_TSCONFIG, null, 2));
    const fileName = `${fixture.name}.ts`;
    const filePath = join(directory, fileName);
    writeFileSync(filePath, fixture.input);
    const run = () => runCodemod(codemod, { cwd: directory, paths: [fileName], force: true, options: fixture.options });

    const first = await run();
    const problems = first.files.filter((file) => file.status === 'errored' || file.status === 'skipped');
    expect(problems.map((file) => `${file.status}: ${file.reason ?? ''}`), 'no file may error or be skipped').toEqual([]);
    const actual = readFileSync(filePath, 'utf8');
    if (fixture.output === undefined) {
      expect(actual, 'a case without .output.ts must stay byte-identical').toBe(fixture.input);
      expect(first.refusals.length, 'a case without .output.ts must report why it refused').toBeGreaterThan(0);
    } else {
      expect(actual).toBe(fixture.output);
    }

    const project = new Project({ tsConfigFilePath: join(directory, 'tsconfig.json') });
    const diagnostics = project.getPreEmitDiagnostics().map((diagnostic) => {
      const line = diagnostic.getLineNumber();
      return `${line === undefined ? '' : `line ${String(line)}: `}TS${String(diagnostic.getCode())} ${ts.flattenDiagnosticMessageText(diagnostic.getMessageText() as string | ts.DiagnosticMessageChain, ' ')}`;
    });
    expect(diagnostics, 'the result must type-check').toEqual([]);

    const second = await run();
    expect(readFileSync(filePath, 'utf8'), 'a second run must change nothing').toBe(actual);
    expect(second.files.filter((file) => file.status !== 'unchanged').map((file) => file.filePath)).toEqual([]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * One test per case in `test/fixtures/codemods/<codemodName>/`: adding a case is adding two
 * files (or one, for a refusal).
 */
export function runCodemodFixtures(codemodName: string, codemod: Codemod, directory = join(repositoryRoot, 'test/fixtures/codemods', codemodName)): void {
  const fixtures = readCodemodFixtures(directory);
  describe(`${codemodName} fixtures`, () => {
    it('has fixtures', () => {
      expect(fixtures.length).toBeGreaterThan(0);
    });
    for (const fixture of fixtures) {
      it(fixture.name, async () => {
        await checkCodemodFixture(codemod, fixture);
      });
    }
  });
}
