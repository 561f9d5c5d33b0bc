import { createRequire } from 'node:module';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Rule } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCodemod } from '../../codemods/runner.js';
import toErrorReturns from '../../codemods/to-error-returns.js';
import plugin from '../../index.js';
import { checkMultiFileCodemodFixture, FIXTURE_TSCONFIG, readCodemodFixtures, readMultiFileCodemodFixtures, runCodemodFixtures } from './harness.js';
import { createTempProject } from './temp-project.js';
import { buildForJscodeshift, runJscodeshift } from './jscodeshift-build.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtureDirectory = join(repositoryRoot, 'test/fixtures/codemods/to-error-returns');

runCodemodFixtures('to-error-returns', toErrorReturns);

function createWorkDirectory(label: string): string {
  return mkdtempSync(join(repositoryRoot, `.predictable-tmp-to-error-returns-${label}-`));
}

/** The input tree of a case, single-file (`<case>.input.ts`) or multi-file (`<case>/input/`). */
function inputTree(caseName: string): { files: Record<string, string>; options: Record<string, unknown> } {
  const single = readCodemodFixtures(fixtureDirectory).find((fixture) => fixture.name === caseName);
  if (single !== undefined) return { files: { [`${caseName}.ts`]: single.input }, options: single.options };
  const multi = readMultiFileCodemodFixtures(fixtureDirectory).find((fixture) => fixture.name === caseName);
  if (multi === undefined) throw new Error(`no fixture named ${caseName}`);
  return { files: multi.inputFiles, options: multi.options };
}

function writeTree(directory: string, files: Record<string, string>): void {
  for (const [relativePath, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, relativePath)), { recursive: true });
    writeFileSync(join(directory, relativePath), text);
  }
}

/** Every `.ts` file under `from`, compiled one by one as a bundler or ts-node would (`transpileModule`), into `to`. */
function transpileTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source));
    mkdirSync(dirname(target), { recursive: true });
    if (entry.name === 'package.json') {
      cpSync(source, target);
    } else if (entry.isFile() && entry.name.endsWith('.ts')) {
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
      writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Behaviour: the same calls on the code before and after the codemod

type Outcome = { kind: 'value'; value: unknown } | { kind: 'threw'; error: unknown };

/** The value a Result carries, so that `ok(v)` after compares equal to `v` before. */
function settle(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'isOk' in value && typeof value.isOk === 'function') {
    const result = value as unknown as { isOk(): boolean; value?: unknown; error?: unknown };
    return result.isOk() ? result.value : result.error;
  }
  return value;
}

async function outcomeOf(call: () => unknown): Promise<Outcome> {
  try {
    return { kind: 'value', value: settle(await call()) };
  } catch (error) {
    return { kind: 'threw', error };
  }
}

interface Scenario {
  caseName: string;
  /** Module (relative, `.js`) and export to call. */
  module: string;
  call: (exports: Record<string, (...args: never[]) => unknown>, data: 'valid' | 'missing') => unknown;
  /** What the code before the codemod did with missing data. */
  before: 'TypeError' | 'NaN' | 'wrong value';
  /** How the code after the codemod hands the MissingValueError over. */
  after: 'returned' | 'thrown';
  /** Text the error message must contain: the expression that was missing. */
  names: string;
  /** The error class, when the function already returned its own errors. */
  errorName?: string;
}

const warehouse = (primary: boolean) => ({ id: 'w1', primary, stock: 5 });
const product = (primary: boolean) => ({ id: 'p1', sku: 'p1', warehouses: [warehouse(false), warehouse(primary)] });
const prices = new Map([['apple', 2]]);

const scenarios: Scenario[] = [
  {
    caseName: 'union-two-levels',
    module: 'union-two-levels.js',
    call: (exports, data) => exports.totalStock?.([product(true), product(data === 'valid')] as never),
    before: 'TypeError',
    after: 'returned',
    names: 'product.warehouses.find((candidate) => candidate.primary) is undefined in primaryWarehouse',
  },
  {
    caseName: 'union-hoisted',
    module: 'union-hoisted.js',
    call: (exports, data) => exports.sumTotals?.(new Map([['a', { id: 'a', total: 3 }]]) as never, (data === 'valid' ? ['a', 'a'] : ['a', 'b']) as never),
    before: 'TypeError',
    after: 'returned',
    names: 'ordersById.get(id) is undefined in sumTotals',
  },
  {
    caseName: 'union-async',
    module: 'union-async.js',
    call: (exports, data) => exports.recipients?.(new Map([['c1', { id: 'c1', email: 'c1@shop.test' }], ['c2', { id: 'c2' }]]) as never, (data === 'valid' ? ['c1', 'c2'] : ['c1', 'c3']) as never),
    before: 'TypeError',
    after: 'returned',
    names: 'loadCustomer(customers, id)',
  },
  {
    caseName: 'throw-style',
    module: 'throw-style.js',
    call: (exports, data) => exports.sumTotals?.(new Map([['a', { id: 'a', total: 3 }]]) as never, (data === 'valid' ? ['a'] : ['b']) as never),
    before: 'TypeError',
    after: 'thrown',
    names: 'ordersById.get(id) is undefined in sumTotals',
  },
  {
    caseName: 'result-two-levels',
    module: 'result-two-levels.js',
    call: (exports, data) => exports.totalStock?.([product(true), product(data === 'valid')] as never),
    before: 'TypeError',
    after: 'returned',
    names: 'is undefined in primaryWarehouse',
  },
  {
    caseName: 'array-callback',
    module: 'array-callback.js',
    call: (exports, data) => exports.priceLines?.(prices as never, (data === 'valid' ? ['apple'] : ['apple', 'pear']) as never),
    before: 'NaN',
    after: 'thrown',
    names: 'prices.get(sku) is undefined in the map callback in priceLines',
  },
  {
    caseName: 'class-methods',
    module: 'class-methods.js',
    call: (exports, data) => {
      const Invoice = exports.Invoice as unknown as new (prices: Map<string, number>) => { total(lines: unknown[]): unknown };
      return new Invoice(prices).total([{ sku: 'apple', quantity: 2 }, { sku: data === 'valid' ? 'apple' : 'pear', quantity: 1 }]);
    },
    before: 'NaN',
    after: 'returned',
    names: 'this.prices.get(line.sku) is undefined in Invoice.lineTotal',
  },
  {
    caseName: 'boundaries-in-class',
    module: 'boundaries-in-class.js',
    call: (exports, data) => {
      const Catalog = exports.Catalog as unknown as new (ids: string[]) => { firstName: string };
      return new Catalog([data === 'valid' ? 'default' : 'unknown']).firstName;
    },
    before: 'TypeError',
    after: 'thrown',
    names: 'this.names.get(id) is undefined in Catalog.nameOf',
  },
  {
    caseName: 'comparisons',
    module: 'comparisons.js',
    call: (exports, data) => exports.describe?.({ count: data === 'valid' ? 0 : undefined, label: '', note: 'n' } as never),
    before: 'wrong value',
    after: 'returned',
    names: 'row.count is undefined in describe',
  },
  {
    caseName: 'cross-file',
    module: 'report.js',
    call: (exports, data) => exports.shippableCount?.([{ product: product(true), quantity: 1 }, { product: product(data === 'valid'), quantity: 9 }] as never),
    before: 'TypeError',
    after: 'returned',
    names: 'is undefined in primaryWarehouse (inventory.ts:14:10)',
  },
  {
    caseName: 'public-api',
    module: 'index.js',
    call: (exports, data) => exports.orderTotal?.(prices as never, [{ sku: data === 'valid' ? 'apple' : 'pear', quantity: 3 }] as never),
    before: 'NaN',
    after: 'thrown',
    names: 'prices.get(line.sku) is undefined in lineTotal',
  },
  {
    caseName: 'result-cross-file',
    module: 'orders.js',
    call: (exports, data) => exports.shipsAll?.([warehouse(false), warehouse(data === 'valid')] as never, [1, 2] as never),
    before: 'TypeError',
    after: 'returned',
    names: 'warehouses.find((warehouse) => warehouse.primary) is undefined in primaryWarehouse',
  },
  {
    caseName: 'existing-error-union',
    module: 'existing-error-union.js',
    call: (exports, data) => exports.priceOf?.(prices as never, (data === 'valid' ? 'apple' : 'pear') as never, 2 as never),
    before: 'NaN',
    after: 'returned',
    names: 'prices.get(sku) is undefined in priceOf',
    errorName: 'PricingError',
  },
];

describe('to-error-returns behaviour, executed before and after', () => {
  for (const scenario of scenarios) {
    it(`${scenario.caseName}: same results on valid data; on missing data a ${scenario.errorName ?? 'MissingValueError'} ${scenario.after} instead of ${scenario.before}`, async () => {
      const directory = createWorkDirectory('run');
      try {
        const { files, options } = inputTree(scenario.caseName);
        const source = join(directory, 'source');
        writeTree(source, files);
        writeFileSync(join(source, 'tsconfig.json'), JSON.stringify(FIXTURE_TSCONFIG));
        transpileTree(source, join(directory, 'before'));
        const report = await runCodemod(toErrorReturns, { cwd: source, paths: ['.'], force: true, options });
        expect(report.files.filter((file) => file.status === 'errored' || file.status === 'skipped')).toEqual([]);
        transpileTree(source, join(directory, 'after'));

        const load = async (side: 'before' | 'after') =>
          (await import(pathToFileURL(join(directory, side, scenario.module)).href)) as Record<string, (...args: never[]) => unknown>;
        const [before, after] = [await load('before'), await load('after')];

        const validBefore = await outcomeOf(() => scenario.call(before, 'valid'));
        expect(validBefore.kind).toBe('value');
        expect(await outcomeOf(() => scenario.call(after, 'valid'))).toEqual(validBefore);

        const missingBefore = await outcomeOf(() => scenario.call(before, 'missing'));
        if (scenario.before === 'TypeError') {
          expect(missingBefore.kind === 'threw' && missingBefore.error instanceof TypeError, 'the code before fails with a TypeError').toBe(true);
        } else if (scenario.before === 'NaN') {
          expect(missingBefore.kind === 'value' && JSON.stringify(missingBefore.value).includes('null') && String(missingBefore.value).includes('NaN'), 'the code before computes NaN').toBe(true);
        } else {
          expect(missingBefore.kind, 'the code before goes on with a wrong value').toBe('value');
        }

        const missingAfter = await outcomeOf(() => scenario.call(after, 'missing'));
        expect(missingAfter.kind).toBe(scenario.after === 'thrown' ? 'threw' : 'value');
        const error = missingAfter.kind === 'threw' ? missingAfter.error : missingAfter.value;
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).name).toBe(scenario.errorName ?? 'MissingValueError');
        expect((error as Error).message).toContain(scenario.names);
        if (scenario.errorName === undefined) {
          const errorModule = report.files.find((file) => file.status === 'created')?.filePath;
          if (errorModule !== undefined) {
            const { MissingValueError } = (await import(pathToFileURL(join(directory, 'after', relative(source, errorModule).replace(/\.ts$/, '.js'))).href)) as { MissingValueError: typeof Error };
            expect(error).toBeInstanceOf(MissingValueError);
          }
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// --style result and eslint-plugin-neverthrow's must-use-result

/**
 * eslint-plugin-neverthrow 1.1.4 reads `context.parserServices` and calls `context.getScope()`,
 * both removed in ESLint 9, so under ESLint 10 its rule throws "types not available" before it
 * looks at any code. This gives the rule the context it was written for, the way
 * `@eslint/compat`'s `fixupRuleContext` does: the same parser services, and the scope of the node
 * being visited. The rule's own logic runs unchanged.
 */
function withLegacyContext(rule: Rule.RuleModule): Rule.RuleModule {
  return {
    ...rule,
    create(context) {
      let currentNode: Parameters<typeof context.sourceCode.getScope>[0] = context.sourceCode.ast;
      const legacyContext = Object.create(context, {
        parserServices: { value: context.sourceCode.parserServices as unknown },
        getScope: { value: () => context.sourceCode.getScope(currentNode) },
      }) as Rule.RuleContext;
      const listeners = rule.create(legacyContext);
      return Object.fromEntries(
        Object.entries(listeners).map(([selector, listener]) => [
          selector,
          (node: Parameters<typeof context.sourceCode.getScope>[0]) => {
            currentNode = node;
            (listener as (visited: typeof node) => void)(node);
          },
        ]),
      );
    },
  };
}

// The plugin ships CommonJS without type declarations.
const neverthrowPlugin = createRequire(import.meta.url)('eslint-plugin-neverthrow') as { rules: Record<string, Rule.RuleModule> };
const mustUseResult = neverthrowPlugin.rules['must-use-result'];

describe('--style result output and neverthrow/must-use-result', () => {
  let directory = '';
  const lint = async (plugin: { rules: Record<string, Rule.RuleModule> }, files: Record<string, string>) => {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    writeTree(directory, files);
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ ...FIXTURE_TSCONFIG, include: ['**/*.ts'] }));
    const eslint = new ESLint({
      cwd: directory,
      overrideConfigFile: true,
      overrideConfig: [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: directory, disallowAutomaticSingleRunInference: true } },
          plugins: { neverthrow: plugin },
          rules: { 'neverthrow/must-use-result': 'error' },
        },
      ],
    });
    const results = await eslint.lintFiles(['**/*.ts']);
    return results.flatMap((result) => result.messages.map((message) => `${relative(directory, result.filePath)}:${String(message.line)} ${message.message}`));
  };
  beforeAll(() => {
    directory = createWorkDirectory('lint');
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('cannot load as published under ESLint 10', async () => {
    if (mustUseResult === undefined) throw new Error('eslint-plugin-neverthrow has no must-use-result');
    await expect(lint({ rules: { 'must-use-result': mustUseResult } }, { 'a.ts': 'export const a = 1;\n' })).rejects.toThrow(/types not available/);
  });

  it('reports a Result that is dropped or only inspected with isErr (the control: the adapted rule does run)', async () => {
    if (mustUseResult === undefined) throw new Error('eslint-plugin-neverthrow has no must-use-result');
    const messages = await lint({ rules: { 'must-use-result': withLegacyContext(mustUseResult) } }, {
      'control.ts': [
        "import { err, ok, type Result } from 'neverthrow';",
        'function parse(text: string): Result<number, Error> {',
        "  return text === '' ? err(new Error('empty')) : ok(Number(text));",
        '}',
        'export function dropped(): void {',
        "  parse('1');",
        '}',
        'export function inspected(text: string): Result<number, Error> {',
        '  const parsed = parse(text);',
        '  if (parsed.isErr()) return err(parsed.error);',
        '  return ok(parsed.value + 1);',
        '}',
        '',
      ].join('\n'),
    });
    expect(messages).toEqual(['control.ts:6 Result must be handled with either of match, unwrapOr or _unsafeUnwrap.', 'control.ts:9 Result must be handled with either of match, unwrapOr or _unsafeUnwrap.']);
  });

  for (const caseName of ['result-two-levels', 'result-cross-file']) {
    it(`finds nothing to report in what the codemod writes for ${caseName}`, async () => {
      if (mustUseResult === undefined) throw new Error('eslint-plugin-neverthrow has no must-use-result');
      const work = createWorkDirectory('result');
      try {
        const { files, options } = inputTree(caseName);
        writeTree(work, files);
        writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(FIXTURE_TSCONFIG));
        await runCodemod(toErrorReturns, { cwd: work, paths: ['.'], force: true, options });
        const output: Record<string, string> = {};
        for (const entry of readdirSync(work, { recursive: true, withFileTypes: true })) {
          if (entry.isFile() && entry.name.endsWith('.ts')) output[relative(work, join(entry.parentPath, entry.name))] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
        }
        expect(Object.values(output).join('\n')).toContain('.match((value) => value, (error) => error)');
        expect(await lint({ rules: { 'must-use-result': withLegacyContext(mustUseResult) } }, output)).toEqual([]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The rule and the codemod select the same `!`

describe('by default the codemod rewrites what no-non-null-assertion-in-hot-path reports', () => {
  for (const caseName of ['cold-left-alone', 'union-two-levels', 'throw-style', 'array-callback', 'comparisons']) {
    it(caseName, async () => {
      const work = createWorkDirectory('agree');
      try {
        const { files } = inputTree(caseName);
        writeTree(work, files);
        writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({ ...FIXTURE_TSCONFIG, include: ['**/*.ts'] }));
        const eslint = new ESLint({
          cwd: work,
          overrideConfigFile: true,
          overrideConfig: [
            {
              files: ['**/*.ts'],
              languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: work } },
              plugins: { predictable: plugin as unknown as ESLint.Plugin },
              rules: { 'predictable/no-non-null-assertion-in-hot-path': 'error' },
            },
          ],
        });
        const reported = (await eslint.lintFiles(['**/*.ts'])).flatMap((result) => result.messages.map((message) => message.line)).sort();
        const report = await runCodemod(toErrorReturns, { cwd: work, paths: ['.'], force: true, dry: true });
        // A `!` the type cannot need is removed without a report from the rule (it is provably safe).
        const rewritten = report.conversions.filter((conversion) => conversion.message.includes('→ a check that')).map((conversion) => conversion.line).sort();
        expect(reported.length).toBeGreaterThan(0);
        expect(rewritten).toEqual(reported);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The harness extension for cases that span files

describe('checkMultiFileCodemodFixture', () => {
  const input = { 'a.ts': '/** @hot */\nexport function first(values: number[]): number {\n  return values.find((value) => value > 0)!;\n}\n' };

  it('fails a case whose output tree lacks a file the codemod created', async () => {
    const converted = input['a.ts'].replace('): number {', '): number | MissingValueError {');
    await expect(checkMultiFileCodemodFixture(toErrorReturns, { name: 'missing-created-file', inputFiles: input, outputFiles: { 'a.ts': converted }, options: {} })).rejects.toThrow();
  });

  it('fails a refusal case whose files changed', async () => {
    await expect(checkMultiFileCodemodFixture(toErrorReturns, { name: 'not-a-refusal', inputFiles: input, outputFiles: undefined, options: {} })).rejects.toThrow(
      /must leave every file byte-identical/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The published jscodeshift transform, run by the real jscodeshift CLI

describe('to-error-returns through the jscodeshift CLI', () => {
  let buildDirectory = '';
  beforeAll(() => {
    buildDirectory = buildForJscodeshift('to-error-returns', ['codemods/to-error-returns.ts', 'codemods/jscodeshift']);
  }, 120_000);
  afterAll(() => {
    rmSync(buildDirectory, { recursive: true, force: true });
  });

  it('rewrites a file that needs no other, and refuses one whose callers live in another file', () => {
    const errors = readFileSync(join(fixtureDirectory, 'existing-error-module/input/errors.ts'), 'utf8');
    const sessions = readFileSync(join(fixtureDirectory, 'existing-error-module/input/sessions.ts'), 'utf8');
    const inventory = readFileSync(join(fixtureDirectory, 'cross-file/input/inventory.ts'), 'utf8');
    const orders = readFileSync(join(fixtureDirectory, 'cross-file/input/orders.ts'), 'utf8');
    const project = createTempProject(
      { 'src/errors.ts': errors, 'src/sessions.ts': sessions, 'src/inventory.ts': inventory, 'src/orders.ts': orders },
      { git: false, tsconfig: { compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, lib: ['ES2023'], types: [], noEmit: true } } },
    );
    try {
      const transform = join(buildDirectory, 'out/codemods/jscodeshift/to-error-returns.cjs');
      const { output } = runJscodeshift(project.root, '-t', transform, '--parser=ts', '--verbose=2', 'src/sessions.ts', 'src/inventory.ts');
      expect(output).toMatch(/1 ok/);
      expect(output).toMatch(/1 unmodified/);
      expect(output).toMatch(/0 errors/);
      expect(output).toContain('a jscodeshift transform cannot write; run `predictable codemod to-error-returns` instead');
      expect(project.read('src/sessions.ts')).toBe(readFileSync(join(fixtureDirectory, 'existing-error-module/output/sessions.ts'), 'utf8'));
      expect(project.read('src/inventory.ts')).toBe(inventory);
    } finally {
      project.remove();
    }
  }, 120_000);
});

describe('reverting a change that spans files', () => {
  it('names the file that really links two callers of one function: the callee, not the other caller', async () => {
    const fixture = (name: string): string => readFileSync(join(fixtureDirectory, 'reverted-callee-takes-callers/input', name), 'utf8');
    const inventory = fixture('inventory.ts');
    const project = createTempProject(
      {
        // Pins the callee's return type, so the callee's rewrite is the one reverted first.
        'contract.ts': fixture('contract.ts'),
        'inventory.ts': inventory,
        'labels.ts': fixture('orders.ts').replace('shippingFrom', 'labelOf'),
        'orders.ts': fixture('orders.ts'),
      },
      { git: false, tsconfig: FIXTURE_TSCONFIG },
    );
    try {
      const report = await runCodemod(toErrorReturns, { cwd: project.root, force: true });
      const refusalOf = (file: string): string[] =>
        report.refusals.filter((refusal) => relative(project.root, refusal.filePath) === file).map((refusal) => refusal.message);
      expect(refusalOf('inventory.ts')).toEqual([expect.stringMatching(/^rewrite breaks contract\.ts/)]);
      // labels.ts and orders.ts only share a callee: each reason names it, not the other caller.
      for (const caller of ['labels.ts', 'orders.ts']) {
        expect(refusalOf(caller)).toEqual([expect.stringMatching(/^reverted with inventory\.ts, whose rewrite it goes with: rewrite breaks contract\.ts/)]);
      }
      expect(project.read('inventory.ts')).toBe(inventory);
    } finally {
      project.remove();
    }
  }, 120_000);
});
