import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Linter, Rule } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCodemod } from '../../codemods/runner.js';
import toUsing from '../../codemods/to-using.js';
import { FIXTURE_TSCONFIG, readCodemodFixtures } from './harness.js';
import { createUndisposedResourcesESLint } from './undisposed-resources-eslint.js';

// `no-undisposed-resources` suggests, resource by resource, the rewrite `to-using` makes: both come
// from analysis/resources/using-conversion.ts. This test holds them to it from the outside, through ESLint's
// Node API with typed linting on one side and the codemod runner on the other, on the codemod's
// fixtures and on leaks the fixtures do not show (the rule does not report a `try`/`finally` that
// already releases, so the conversions that remove one need a leak in front of it to be suggested).

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixtureDirectory = join(repositoryRoot, 'test/fixtures/codemods/to-using');
const fixtures = readCodemodFixtures(fixtureDirectory);
const supportFiles = fixtures[0]?.supportFiles ?? {};

interface Case {
  name: string;
  input: string;
  /** The codemod's `.output.ts`; `undefined` for a refusal fixture and for the cases below. */
  output: string | undefined;
  refusal: boolean;
  options: Record<string, unknown>;
  compilerOptions: Record<string, unknown> | undefined;
}

/** Leaks in front of a `try`/`finally`: the rule reports them, and its suggestion removes the `try` as the codemod does. */
const leakCases: Case[] = [
  {
    name: 'gap-before-try',
    input: `import { open, work } from './resources.js';

export function report(): void {
  const handle = open('report');
  handle.read();
  try {
    work('report');
  } finally {
    handle.close();
  }
}
`,
  },
  {
    name: 'gap-before-try-with-statements-after',
    input: `import { note, open, work } from './resources.js';

export function exportThenNotify(): void {
  const handle = open('export');
  handle.read();
  try {
    work('export');
  } finally {
    handle.close();
  }
  note('notify');
}
`,
  },
  {
    name: 'gap-before-try-with-catch',
    input: `import { note, open, work } from './resources.js';

export function tryImport(): boolean {
  const handle = open('import');
  handle.read();
  try {
    work('import');
    return true;
  } catch (error) {
    note(\`failed: \${String(error)}\`);
    return false;
  } finally {
    handle.close();
  }
}
`,
  },
  {
    name: 'gap-before-try-with-other-work-first',
    input: `import { note, open, work } from './resources.js';

export function measured(): void {
  const handle = open('measured');
  handle.read();
  try {
    work('measured');
  } finally {
    note('done');
    handle.close();
  }
}
`,
  },
  {
    name: 'gap-before-async-try',
    input: `import { openAsync, workAsync } from './resources.js';

export async function upload(): Promise<void> {
  const handle = await openAsync('upload');
  await handle.read();
  try {
    await workAsync('upload');
  } finally {
    await handle.close();
  }
}
`,
  },
  {
    name: 'two-in-one-finally-after-a-gap',
    input: `import { open } from './resources.js';

export function copy(): string {
  const from = open('from');
  from.read();
  const to = open('to');
  try {
    return from.read() + to.read();
  } finally {
    to.close();
    from.close();
  }
}
`,
  },
].map((leak) => ({ ...leak, output: undefined, refusal: false, options: {}, compilerOptions: undefined }));

/**
 * The one place they part on purpose: `using` would add a release the code never made, which the
 * codemod refuses to decide and leaves to a person, and the rule's suggestion is that person's choice.
 */
const leftToAPerson: Case = {
  name: 'never-released',
  input: `import { open } from './resources.js';

export function peek(): string {
  const handle = open('peek');
  return handle.read();
}
`,
  output: undefined,
  refusal: false,
  options: {},
  compilerOptions: undefined,
};

const cases: Case[] = [
  ...fixtures.map((fixture) => ({
    name: fixture.name,
    input: fixture.input,
    output: fixture.output,
    refusal: fixture.output === undefined,
    options: fixture.options,
    compilerOptions: fixture.compilerOptions,
  })),
  ...leakCases,
  leftToAPerson,
];

/** Cases that need their own tsconfig or rule options get their own project folder; the rest share one. */
function folderOf(testCase: Case): string {
  return testCase.compilerOptions === undefined && Object.keys(testCase.options).length === 0 ? 'shared' : testCase.name;
}

/** `` `handle` (Handle from `open()`, line 4) `` in a report: the resource it is about. */
const RESOURCE = /`([^`]+)` \([^`]* from `[^`]*`, line (\d+)\)/;
/** `` `left` with `using` `` in a suggestion: a resource it declares with `using`. */
const DECLARED = /`([^`]+)` with `(?:await )?using`/g;
/** `const handle → using handle; …` in the codemod's report. */
const CONVERTED = /^(?:const|let) (\S+) → /;

function applyFix(text: string, fix: Rule.Fix): string {
  return text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}

describe('no-undisposed-resources suggests what to-using rewrites', () => {
  let directory = '';
  const messagesByCase = new Map<string, Linter.LintMessage[]>();

  const pathOf = (testCase: Case): string => join(directory, folderOf(testCase), `${testCase.name}.ts`);

  /** What `to-using` does to the case, without writing it: its conversions (`name@line`) and the new text. */
  const runToUsing = async (testCase: Case): Promise<{ converted: string[]; text: string }> => {
    const report = await runCodemod(toUsing, { cwd: join(directory, folderOf(testCase)), paths: [`${testCase.name}.ts`], dry: true, options: testCase.options });
    const converted = report.conversions.map((finding) => `${CONVERTED.exec(finding.message)?.[1] ?? '?'}@${String(finding.line)}`);
    return { converted, text: report.files.find((file) => file.filePath === pathOf(testCase))?.newText ?? testCase.input };
  };

  beforeAll(async () => {
    directory = mkdtempSync(join(repositoryRoot, '.predictable-tmp-agreement-'));
    const overrides: Linter.Config[] = [];
    for (const testCase of cases) {
      const folder = join(directory, folderOf(testCase));
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...FIXTURE_TSCONFIG.compilerOptions, ...testCase.compilerOptions } }));
      for (const [name, text] of Object.entries(supportFiles)) writeFileSync(join(folder, name), text);
      writeFileSync(pathOf(testCase), testCase.input);
      if (folderOf(testCase) !== 'shared') {
        // The codemod's `timers` option is the rule's option of the same name.
        overrides.push({ files: [`${folderOf(testCase)}/**/*.ts`], rules: { 'predictable/no-undisposed-resources': ['error', testCase.options] } });
      }
    }
    const eslint = createUndisposedResourcesESLint(directory, overrides);
    const results = await eslint.lintFiles(cases.map(pathOf));
    for (const testCase of cases) {
      const result = results.find((candidate) => candidate.filePath === pathOf(testCase));
      messagesByCase.set(testCase.name, result?.messages ?? []);
    }
  }, 120_000);
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const messagesOf = (testCase: Case): Linter.LintMessage[] => {
    const messages = messagesByCase.get(testCase.name) ?? [];
    expect(messages.filter((message) => message.ruleId !== 'predictable/no-undisposed-resources'), 'only the rule reports').toEqual([]);
    return messages;
  };

  /**
   * Every report about a resource the codemod converts carries one suggestion; every suggestion
   * declares only resources the codemod converts; and a suggestion that declares all of them
   * turns the input into exactly the codemod's output.
   */
  const checkAgreement = async (testCase: Case): Promise<number> => {
    const messages = messagesOf(testCase);
    if (messages.length === 0) return 0;
    const codemod = await runToUsing(testCase);
    if (testCase.output !== undefined) expect(codemod.text, 'the dry run gives the fixture output').toBe(testCase.output);
    const convertedNames = codemod.converted.map((key) => key.split('@')[0]);
    let applied = 0;
    for (const message of messages) {
      const resource = RESOURCE.exec(message.message);
      const suggestions = message.suggestions ?? [];
      if (resource !== null && codemod.converted.includes(`${resource[1] ?? ''}@${resource[2] ?? ''}`)) {
        expect(suggestions, `line ${String(message.line)}: converted by the codemod, so suggested`).toHaveLength(1);
      }
      for (const suggestion of suggestions) {
        const declared = [...suggestion.desc.matchAll(DECLARED)].map((match) => match[1]);
        expect(convertedNames, `${suggestion.desc}: only what the codemod converts`).toEqual(expect.arrayContaining(declared));
        if (declared.length === codemod.converted.length) {
          expect(applyFix(testCase.input, suggestion.fix), suggestion.desc).toBe(codemod.text);
          applied += 1;
        }
      }
    }
    return applied;
  };

  it.each(cases.filter((testCase) => testCase.output !== undefined).map((testCase) => [testCase.name, testCase] as const))(
    '%s: each suggestion is the codemod’s rewrite',
    async (_name, testCase) => {
      await checkAgreement(testCase);
    },
    60_000,
  );

  it('the fixtures the rule reports get a suggestion that gives their .output.ts', async () => {
    const reported = cases.filter((testCase) => testCase.output !== undefined && messagesOf(testCase).length > 0);
    expect(reported.map((testCase) => testCase.name)).toEqual(expect.arrayContaining(['success-only-release', 'success-only-several']));
    for (const testCase of reported) {
      expect(await checkAgreement(testCase), testCase.name).toBeGreaterThan(0);
    }
  }, 60_000);

  it.each(leakCases.map((testCase) => [testCase.name, testCase] as const))(
    '%s: reported, and the suggestion gives what the codemod writes',
    async (_name, testCase) => {
      expect(await checkAgreement(testCase)).toBeGreaterThan(0);
    },
    60_000,
  );

  it('never released: the codemod leaves it to a person, and the suggestion is the rewrite it would have made', async () => {
    const [message, ...others] = messagesOf(leftToAPerson);
    expect(others).toEqual([]);
    const report = await runCodemod(toUsing, { cwd: join(directory, folderOf(leftToAPerson)), paths: [`${leftToAPerson.name}.ts`], dry: true });
    expect(report.conversions).toEqual([]);
    expect(report.refusals.map((finding) => `${String(finding.line)}: ${finding.message}`)).toEqual([expect.stringMatching(/^4: .*never released here.*decide by hand/)]);
    const suggestion = message?.suggestions?.[0];
    expect(suggestion?.desc).toBe('Declare `handle` with `using`.');
    expect(suggestion === undefined ? '' : applyFix(leftToAPerson.input, suggestion.fix)).toBe(leftToAPerson.input.replace('const handle', 'using handle'));
  }, 60_000);

  it.each(cases.filter((testCase) => testCase.refusal).map((testCase) => [testCase.name, testCase] as const))(
    '%s: refused by the codemod, so no suggestion',
    (_name, testCase) => {
      expect(messagesOf(testCase).flatMap((message) => message.suggestions ?? []).map((suggestion) => suggestion.desc)).toEqual([]);
    },
  );
});
