import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import toUsing from '../../codemods/to-using.js';
import { FIXTURE_TSCONFIG, readCodemodFixtures, runCodemodFixtures } from './harness.js';
import { createUndisposedResourcesESLint } from './undisposed-resources-eslint.js';
import { createTempProject } from './temp-project.js';
import { buildForJscodeshift, runJscodeshift } from './jscodeshift-build.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtureDirectory = join(repositoryRoot, 'test/fixtures/codemods/to-using');
const fixtures = readCodemodFixtures(fixtureDirectory);
const converted = fixtures.filter((fixture): fixture is typeof fixture & { output: string } => fixture.output !== undefined);

runCodemodFixtures('to-using', toUsing, fixtureDirectory);

describe('to-using fixtures', () => {
  it('cover the conversions and every refusal the codemod documents', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
    const refused = fixtures.filter((fixture) => fixture.output === undefined).map((fixture) => fixture.name);
    // Every refusal's reason is read and checked true once, then held in `<case>.refusal.txt`.
    expect(fixtures.filter((fixture) => fixture.output === undefined && fixture.refusal === undefined).map((fixture) => fixture.name)).toEqual([]);
    expect(refused).toEqual(
      expect.arrayContaining([
        'refuse-reassigned',
        'refuse-escapes-stored',
        'refuse-escapes-closure',
        'refuse-async-release-in-sync-function',
        'refuse-other-work-after-release',
        'refuse-timer-dispose-cancels',
        'refuse-dispose-is-not-close',
        'refuse-release-order',
        'refuse-swallowed-close-error',
        'refuse-lib-without-disposable',
        'refuse-pg-client-needs-adapter',
        'refuse-learned-needs-adapter',
        'refuse-lent-alternative',
      ]),
    );
  });
});

/** A folder inside the repository (git-ignored), so `types: ["node"]` and package imports resolve. */
function createWorkDirectory(label: string): string {
  return mkdtempSync(join(repositoryRoot, `.predictable-tmp-to-using-${label}-`));
}

describe('no-undisposed-resources after the codemod', () => {
  let directory = '';
  let eslint: ESLint;
  beforeAll(() => {
    directory = createWorkDirectory('lint');
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(FIXTURE_TSCONFIG));
    for (const [name, text] of Object.entries(converted[0]?.supportFiles ?? {})) writeFileSync(join(directory, name), text);
    for (const fixture of converted) {
      writeFileSync(join(directory, `${fixture.name}.input.ts`), fixture.input);
      writeFileSync(join(directory, `${fixture.name}.output.ts`), fixture.output);
    }
    eslint = createUndisposedResourcesESLint(directory);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const reportsOf = async (fileName: string): Promise<string[]> => {
    const [result] = await eslint.lintFiles([join(directory, fileName)]);
    return (result?.messages ?? []).map((message) => `${String(message.line)}: ${message.ruleId ?? 'fatal'} ${message.message}`);
  };

  it.each(converted.map((fixture) => fixture.name))('reports nothing in %s.output.ts', async (name) => {
    expect(await reportsOf(`${name}.output.ts`)).toEqual([]);
  });

  it('reported the leaks the codemod fixed, in the inputs', async () => {
    expect(await reportsOf('success-only-release.input.ts')).toEqual([expect.stringMatching(/^4: predictable\/no-undisposed-resources .*released only when nothing throws/)]);
  });
});

// ---------------------------------------------------------------------------------------------
// Behaviour: run input and output on the same paths and compare what they did

/** What the compiled `resources.ts` exports to the test. */
interface ResourcesModule {
  events: string[];
  resetResources(options?: { failAt?: number }): void;
  countFallibleOperations(): number;
}

interface Outcome {
  events: string[];
  result: string;
}

/**
 * Node 20 has `Symbol.dispose` and `Symbol.asyncDispose` but no `SuppressedError`; TypeScript's
 * `using` helpers need the symbols and fall back without the error class, which the polyfill here
 * supplies anyway so that a suppressed close error would surface as it does on newer runtimes.
 */
function installDisposablePolyfill(): void {
  for (const name of ['dispose', 'asyncDispose'] as const) {
    if (typeof Symbol[name] !== 'symbol') Object.defineProperty(Symbol, name, { value: Symbol(`Symbol.${name}`) });
  }
  const globals = globalThis as { SuppressedError?: unknown };
  if (typeof globals.SuppressedError !== 'function') {
    globals.SuppressedError = class SuppressedError extends Error {
      readonly error: unknown;
      readonly suppressed: unknown;
      constructor(error: unknown, suppressed: unknown, message?: string) {
        super(message);
        this.error = error;
        this.suppressed = suppressed;
      }
    };
  }
}

/** Down-levels `using` (ES2022 target), as a project on Node 20 would compile it. */
function compile(source: string, fileName: string): string {
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'] },
  }).outputText;
}

async function runExport(resources: ResourcesModule, run: () => unknown, failAt: number | undefined): Promise<Outcome> {
  resources.resetResources(failAt === undefined ? {} : { failAt });
  let result: string;
  try {
    result = `returned ${JSON.stringify(await run())}`;
  } catch (error) {
    result = `threw ${error instanceof Error ? error.message : String(error)}`;
  }
  return { events: [...resources.events], result };
}

function openedButNotClosed(events: readonly string[]): string[] {
  const opened = events.filter((event) => event.startsWith('open:')).map((event) => event.slice('open:'.length));
  return opened.filter((id) => !events.includes(`close:${id}`));
}

describe('to-using behaviour, executed before and after', () => {
  installDisposablePolyfill();
  const executable = converted.filter((fixture) => fixture.input.includes("from './resources.js'"));
  let directory = '';
  beforeAll(() => {
    directory = createWorkDirectory('run');
    for (const variant of ['input', 'output'] as const) {
      mkdirSync(join(directory, variant));
      for (const [name, text] of Object.entries(executable[0]?.supportFiles ?? {})) {
        writeFileSync(join(directory, variant, name.replace(/\.ts$/, '.js')), compile(text, name));
      }
      for (const fixture of executable) {
        writeFileSync(join(directory, variant, `${fixture.name}.js`), compile(fixture[variant], `${fixture.name}.ts`));
      }
    }
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('executes every converted fixture that uses the fake resources', () => {
    expect(executable.map((fixture) => fixture.name)).toContain('nested-try-finally');
    expect(executable.length).toBeGreaterThanOrEqual(converted.length - 1);
  });

  it.each(executable.map((fixture) => fixture.name))('%s: same events on success, and on failure the same plus the releases the input leaked', async (name) => {
    // A `top-level-` case does its work while the module is evaluated: each run imports a fresh
    // instance of it (the resources module stays shared, so its log is the one reset).
    const topLevel = name.startsWith('top-level-');
    const moduleUrl = (variant: 'input' | 'output'): string => pathToFileURL(join(directory, variant, `${name}.js`)).href;
    const load = async (variant: 'input' | 'output') => ({
      resources: (await import(pathToFileURL(join(directory, variant, 'resources.js')).href)) as ResourcesModule,
      module: topLevel ? {} : ((await import(moduleUrl(variant))) as Record<string, unknown>),
    });
    const before = await load('input');
    const after = await load('output');
    let evaluations = 0;
    const evaluate = (variant: 'input' | 'output') => async (): Promise<void> => {
      evaluations += 1;
      await import(`${moduleUrl(variant)}?evaluation=${String(evaluations)}`);
    };
    const runs: [string, () => unknown, () => unknown][] = topLevel
      ? [['the module top level', evaluate('input'), evaluate('output')]]
      : Object.keys(before.module)
          .filter((key) => typeof before.module[key] === 'function')
          .sort()
          .map((key) => [key, before.module[key] as () => unknown, after.module[key] as () => unknown]);
    expect(runs.length).toBeGreaterThan(0);
    for (const [key, runBefore, runAfter] of runs) {

      const success = await runExport(before.resources, runBefore, undefined);
      expect(await runExport(after.resources, runAfter, undefined), `${key} on success`).toEqual(success);
      expect(openedButNotClosed(success.events), `${key} releases everything on success`).toEqual([]);

      const fallible = before.resources.countFallibleOperations();
      expect(fallible, `${key} has a failure path to check`).toBeGreaterThan(0);
      for (let failAt = 0; failAt < fallible; failAt += 1) {
        const input = await runExport(before.resources, runBefore, failAt);
        const output = await runExport(after.resources, runAfter, failAt);
        const label = `${key} failing at operation ${String(failAt)}`;
        expect(output.result, label).toBe(input.result);
        const leaked = new Set(openedButNotClosed(input.events).map((id) => `close:${id}`));
        expect(output.events.filter((event) => !leaked.has(event)), label).toEqual(input.events);
        expect(openedButNotClosed(output.events), `${label}: the output releases everything`).toEqual([]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The published jscodeshift transform, run by the real jscodeshift CLI

describe('to-using through the jscodeshift CLI', () => {
  let buildDirectory = '';
  beforeAll(() => {
    buildDirectory = buildForJscodeshift('to-using', ['codemods/to-using.ts', 'codemods/jscodeshift']);
  }, 120_000);
  afterAll(() => {
    rmSync(buildDirectory, { recursive: true, force: true });
  });

  it('rewrites a file and reports the refusals of another', () => {
    const converts = fixtures.find((fixture) => fixture.name === 'nested-try-finally');
    const refuses = fixtures.find((fixture) => fixture.name === 'refuse-release-order');
    if (converts?.output === undefined || refuses === undefined) throw new Error('fixtures missing');
    const project = createTempProject(
      { 'src/transfer.ts': converts.input, 'src/copy.ts': refuses.input, 'src/resources.ts': converts.supportFiles?.['resources.ts'] ?? '' },
      {
        git: false,
        tsconfig: { compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, lib: ['ES2023', 'esnext.disposable'], types: [], noEmit: true } },
      },
    );
    try {
      const transform = join(buildDirectory, 'out/codemods/jscodeshift/to-using.cjs');
      const { output } = runJscodeshift(project.root, '-t', transform, '--parser=ts', '--verbose=2', 'src/transfer.ts', 'src/copy.ts');
      expect(output).toMatch(/1 ok/);
      expect(output).toMatch(/1 unmodified/);
      expect(output).toMatch(/0 errors/);
      expect(output).toContain('4: const from → using from');
      expect(output).toContain('in acquisition order, but `using` disposes in reverse');
      expect(readFileSync(project.path('src/transfer.ts'), 'utf8')).toBe(converts.output);
      expect(readFileSync(project.path('src/copy.ts'), 'utf8')).toBe(refuses.input);
    } finally {
      project.remove();
    }
  }, 120_000);
});
