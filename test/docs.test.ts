import { ESLint, type Linter } from 'eslint';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import plugin from '../index.js';
import { getRuleDocsUrl } from '../rules/utils/create-rule.js';
import { fixtureProjectDirectory } from './rule-tester.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ruleNames = Object.keys(plugin.rules).sort();

function namesIn(directory: string, suffix: string): string[] {
  return readdirSync(join(root, directory))
    .filter((file) => file.endsWith(suffix))
    .map((file) => basename(file, suffix))
    .sort();
}

interface DocExample {
  kind: 'incorrect' | 'correct';
  code: string;
  line: number;
}

/** Fenced ```ts blocks, each classified by the nearest preceding "❌ Incorrect" / "✅ Correct" line. */
function extractExamples(markdown: string): DocExample[] {
  const examples: DocExample[] = [];
  const lines = markdown.split('\n');
  let kind: DocExample['kind'] | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line.includes('❌')) {
      kind = 'incorrect';
    } else if (line.includes('✅') && !line.startsWith('|')) {
      kind = 'correct';
    } else if (/^```(ts|typescript)\s*$/.test(line) && kind !== undefined) {
      const start = index + 1;
      let end = start;
      while (end < lines.length && lines[end] !== '```') {
        end++;
      }
      examples.push({ kind, code: lines.slice(start, end).join('\n'), line: start + 1 });
      index = end;
      kind = undefined;
    }
  }
  return examples;
}

describe('one name, four places', () => {
  it('has a source file, a test file and a doc for exactly the registered rules', () => {
    expect(namesIn('rules', '.ts')).toEqual([...ruleNames, 'index'].sort());
    expect(namesIn('test/rules', '.test.ts')).toEqual(ruleNames);
    expect(namesIn('docs/rules', '.md')).toEqual(ruleNames);
  });

  it.each(ruleNames)('%s: docs URL, description and type-checking flag come from meta', (ruleName) => {
    const { meta } = plugin.rules[ruleName as keyof typeof plugin.rules];
    expect(meta.docs?.url).toBe(getRuleDocsUrl(ruleName));
    expect(meta.docs?.description).toMatch(/^(Enforce|Require|Disallow) /);
    expect(meta.docs?.requiresTypeChecking).toBe(true);
  });
});

describe('presets derived from rule meta', () => {
  it('strict enables every rule and recommended the ones marked recommended', () => {
    expect(Object.keys(plugin.configs.strict.rules).sort()).toEqual(ruleNames.map((name) => `predictable/${name}`));
    const recommended = ruleNames.filter(
      (name) => plugin.rules[name as keyof typeof plugin.rules].meta.docs?.recommended === true,
    );
    expect(Object.keys(plugin.configs.recommended.rules).sort()).toEqual(recommended.map((name) => `predictable/${name}`));
  });
});

describe.each(ruleNames)('docs/rules/%s.md', (ruleName) => {
  const markdown = readFileSync(join(root, 'docs/rules', `${ruleName}.md`), 'utf8');
  const examples = extractExamples(markdown);

  it('has the sections every rule doc has', () => {
    expect(markdown).toContain('<!-- end auto-generated rule header -->');
    expect(markdown).toMatch(/^## Options$/m);
    expect(markdown).toMatch(/^## When Not To Use It$/m);
    expect(examples.filter((example) => example.kind === 'incorrect').length).toBeGreaterThan(0);
    expect(examples.filter((example) => example.kind === 'correct').length).toBeGreaterThan(0);
  });

  const eslint = new ESLint({
    cwd: fixtureProjectDirectory,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        ...(plugin.configs.strict as unknown as Linter.Config),
        languageOptions: {
          ...(plugin.configs.strict.languageOptions as Linter.LanguageOptions),
          parserOptions: { projectService: true, tsconfigRootDir: fixtureProjectDirectory },
        },
        rules: { [`predictable/${ruleName}`]: 'error' },
      },
    ],
  });

  it.each(examples.map((example) => [`${example.kind} example at line ${String(example.line)}`, example] as const))(
    '%s',
    async (_title, example) => {
      const [result] = await eslint.lintText(example.code, { filePath: join(fixtureProjectDirectory, 'file.ts') });
      const messages = result?.messages ?? [];
      expect(messages.filter((message) => message.fatal === true)).toEqual([]);
      const reported = messages.filter((message) => message.ruleId === `predictable/${ruleName}`);
      if (example.kind === 'incorrect') {
        expect(reported.length, 'an incorrect example must be reported').toBeGreaterThan(0);
      } else {
        expect(reported, 'a correct example must be clean').toEqual([]);
      }
    },
  );
});
