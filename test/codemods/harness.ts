import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
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

/**
 * What `tsc -p` reports for the fixture's project: the compiler's own program, independent of how
 * the codemod loads it, so a loading bug cannot hide a type error the rewrite introduced.
 */
function typeCheck(directory: string): { file: string | undefined; line: number | undefined; code: number; message: string }[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(directory, 'tsconfig.json'), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
    },
  });
  if (parsed === undefined) {
    throw new Error(`no tsconfig in ${directory}`);
  }
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, ...(parsed.projectReferences === undefined ? {} : { projectReferences: parsed.projectReferences }) });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ({
    file: diagnostic.file?.fileName,
    line: diagnostic.file === undefined || diagnostic.start === undefined ? undefined : diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1,
    code: diagnostic.code,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
  }));
}

export interface CodemodFixture {
  name: string;
  input: string;
  /** `undefined` for a refusal case: the file must come out byte-identical, with a refusal reported. */
  output: string | undefined;
  /** The reason a refusal case must report (the text after "not converted: "). */
  refusal?: string | undefined;
  options: Record<string, unknown>;
  /** From `<case>.tsconfig.json`: compiler options that replace the defaults for this case (a project without `esnext.disposable`). */
  compilerOptions?: Record<string, unknown>;
  /** Files of the fixture directory that are not part of a case (shared fake modules), copied next to each case. */
  supportFiles?: Record<string, string>;
}

const CASE_FILE = /\.(input\.ts|output\.ts|options\.json|tsconfig\.json|refusal\.txt)$/;

/**
 * The cases in `directory`: `<case>.input.ts`, optional `<case>.output.ts`, `<case>.options.json`,
 * `<case>.tsconfig.json` (`{ "compilerOptions": … }` replacing the defaults) and, for a refusal,
 * `<case>.refusal.txt` (the reason the report must give). Any other file
 * there (a shared fake module the cases import) is copied next to every case.
 */
export function readCodemodFixtures(directory: string): CodemodFixture[] {
  const read = (fileName: string): string | undefined => (existsSync(join(directory, fileName)) ? readFileSync(join(directory, fileName), 'utf8') : undefined);
  const fileNames = readdirSync(directory).sort();
  const supportFiles: Record<string, string> = {};
  for (const fileName of fileNames.filter((candidate) => !CASE_FILE.test(candidate) && statSync(join(directory, candidate)).isFile())) {
    supportFiles[fileName] = read(fileName) ?? '';
  }
  return fileNames
    .filter((fileName) => fileName.endsWith('.input.ts'))
    .map((fileName) => {
      const name = fileName.slice(0, -'.input.ts'.length);
      const options = read(`${name}.options.json`);
      const tsconfig = read(`${name}.tsconfig.json`);
      return {
        name,
        input: read(fileName) ?? '',
        output: read(`${name}.output.ts`),
        refusal: read(`${name}.refusal.txt`)?.trim(),
        options: options === undefined ? {} : (JSON.parse(options) as Record<string, unknown>),
        ...(tsconfig === undefined ? {} : { compilerOptions: (JSON.parse(tsconfig) as { compilerOptions: Record<string, unknown> }).compilerOptions }),
        ...(Object.keys(supportFiles).length === 0 ? {} : { supportFiles }),
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
    const tsconfig = { compilerOptions: { ...FIXTURE_TSCONFIG.compilerOptions, ...fixture.compilerOptions } };
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    for (const [supportName, text] of Object.entries(fixture.supportFiles ?? {})) {
      writeFileSync(join(directory, supportName), text);
    }
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
      if (fixture.refusal !== undefined) {
        expect(first.refusals.map((refusal) => refusal.message.split(' not converted: ')[1] ?? refusal.message), 'the reason given').toContain(fixture.refusal);
      }
    } else {
      expect(actual).toBe(fixture.output);
    }

    const diagnostics = typeCheck(directory).map(({ line, code, message }) => `${line === undefined ? '' : `line ${String(line)}: `}TS${String(code)} ${message}`);
    expect(diagnostics, 'the result must type-check').toEqual([]);

    const second = await run();
    expect(readFileSync(filePath, 'utf8'), 'a second run must change nothing').toBe(actual);
    expect(second.files.filter((file) => file.status !== 'unchanged').map((file) => file.filePath)).toEqual([]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * A case that spans files: `<case>/input/**` is the project before the run, `<case>/output/**` the
 * whole project after it (created files included; no `output/` for a refusal, where every file
 * must stay byte-identical), `<case>/options.json` the codemod's options. The run covers the whole
 * tree. `tsconfig.json` is the harness's unless the input has its own.
 */
export interface MultiFileCodemodFixture {
  name: string;
  /** Path relative to the project root → text. */
  inputFiles: Record<string, string>;
  outputFiles: Record<string, string> | undefined;
  options: Record<string, unknown>;
}

function readTree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const absolute = join(entry.parentPath, entry.name);
      files[relative(root, absolute).split('\\').join('/')] = readFileSync(absolute, 'utf8');
    }
  }
  return files;
}

/** The multi-file cases in `directory`: its subdirectories that hold an `input/` tree. */
export function readMultiFileCodemodFixtures(directory: string): MultiFileCodemodFixture[] {
  return readdirSync(directory)
    .filter((name) => statSync(join(directory, name)).isDirectory() && existsSync(join(directory, name, 'input')))
    .sort()
    .map((name) => {
      const caseDirectory = join(directory, name);
      const options = join(caseDirectory, 'options.json');
      return {
        name,
        inputFiles: readTree(join(caseDirectory, 'input')),
        outputFiles: existsSync(join(caseDirectory, 'output')) ? readTree(join(caseDirectory, 'output')) : undefined,
        options: existsSync(options) ? (JSON.parse(readFileSync(options, 'utf8')) as Record<string, unknown>) : {},
      };
    });
}

/** The multi-file counterpart of {@link checkCodemodFixture}: same checks, over the whole tree. */
export async function checkMultiFileCodemodFixture(codemod: Codemod, fixture: MultiFileCodemodFixture): Promise<void> {
  const directory = mkdtempSync(join(repositoryRoot, '.predictable-tmp-fixture-'));
  try {
    const hasOwnTsconfig = fixture.inputFiles['tsconfig.json'] !== undefined;
    if (!hasOwnTsconfig) writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(FIXTURE_TSCONFIG, null, 2));
    for (const [relativePath, text] of Object.entries(fixture.inputFiles)) {
      mkdirSync(dirname(join(directory, relativePath)), { recursive: true });
      writeFileSync(join(directory, relativePath), text);
    }
    const project = (): Record<string, string> => {
      const tree = readTree(directory);
      if (!hasOwnTsconfig) delete tree['tsconfig.json'];
      return tree;
    };
    const run = () => runCodemod(codemod, { cwd: directory, paths: ['.'], force: true, options: fixture.options });

    const first = await run();
    const problems = first.files.filter((file) => file.status === 'errored' || file.status === 'skipped');
    expect(problems.map((file) => `${file.status}: ${file.reason ?? ''}`), 'no file may error or be skipped').toEqual([]);
    const actual = project();
    if (fixture.outputFiles === undefined) {
      expect(actual, 'a case without output/ must leave every file byte-identical').toEqual(fixture.inputFiles);
      expect(first.refusals.length, 'a case without output/ must report why it refused').toBeGreaterThan(0);
    } else {
      expect(actual).toEqual(fixture.outputFiles);
    }

    const diagnostics = typeCheck(directory).map(({ file, line, code, message }) => `${file === undefined ? '' : `${relative(directory, file)}:`}${line === undefined ? '' : `${String(line)}: `}TS${String(code)} ${message}`);
    expect(diagnostics, 'the result must type-check').toEqual([]);

    const second = await run();
    expect(project(), 'a second run must change nothing').toEqual(actual);
    expect(second.files.filter((file) => file.status !== 'unchanged').map((file) => file.filePath)).toEqual([]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * One test per case in `test/fixtures/codemods/<codemodName>/`: adding a case is adding two
 * files (or one, for a refusal), or a `<case>/` directory with `input/` and `output/` trees.
 */
export function runCodemodFixtures(codemodName: string, codemod: Codemod, directory = join(repositoryRoot, 'test/fixtures/codemods', codemodName)): void {
  const fixtures = readCodemodFixtures(directory);
  const multiFileFixtures = readMultiFileCodemodFixtures(directory);
  describe(`${codemodName} fixtures`, () => {
    it('has fixtures', () => {
      expect(fixtures.length + multiFileFixtures.length).toBeGreaterThan(0);
    });
    for (const fixture of fixtures) {
      it(fixture.name, async () => {
        await checkCodemodFixture(codemod, fixture);
      });
    }
    for (const fixture of multiFileFixtures) {
      it(`${fixture.name}/`, async () => {
        await checkMultiFileCodemodFixture(codemod, fixture);
      });
    }
  });
}
