/**
 * Scaffolds a rule in the shape every rule of this plugin has: `rules/<name>.ts`, its test, its
 * doc and its registry entry, so the four places that share the name start in step.
 *
 *   npx tsx scripts/new-rule.ts no-something "Disallow something that hurts at 3 AM"
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [ruleName, description] = process.argv.slice(2);
if (ruleName === undefined || !/^[a-z][a-z0-9-]*$/.test(ruleName) || description === undefined) {
  console.error('usage: tsx scripts/new-rule.ts <kebab-case-name> "<Enforce|Require|Disallow ...>"');
  process.exit(2);
}

const root = join(import.meta.dirname, '..');
const camelName = ruleName.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

const files: Record<string, string> = {
  [`rules/${ruleName}.ts`]: `import { createRule } from './utils/create-rule.js';
import { getTypeServices } from './utils/type-services.js';

export type Options = [];
export type MessageId = 'todo';

export default createRule<Options, MessageId>({
  name: '${ruleName}',
  meta: {
    type: 'problem',
    docs: {
      description: ${JSON.stringify(description)},
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      todo: 'TODO',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    return {};
  },
});
`,
  [`test/rules/${ruleName}.test.ts`]: `import rule from '../../rules/${ruleName}.js';
import { createTypedRuleTester } from '../rule-tester.js';

createTypedRuleTester().run('${ruleName}', rule, {
  valid: [],
  invalid: [],
});
`,
  [`docs/rules/${ruleName}.md`]: `# ${ruleName}

<!-- end auto-generated rule header -->

## Rule details

## Options

## When Not To Use It

## Related
`,
};

for (const [relativePath, content] of Object.entries(files)) {
  const target = join(root, relativePath);
  if (existsSync(target)) {
    console.error(`${relativePath} exists already; nothing written`);
    process.exit(1);
  }
  writeFileSync(target, content);
  console.log(`created ${relativePath}`);
}

const registryPath = join(root, 'rules/index.ts');
const registry = readFileSync(registryPath, 'utf8')
  .replace('\n// new-rule: imports', `\nimport ${camelName} from './${ruleName}.js';\n// new-rule: imports`)
  .replace('  // new-rule: entries', `  '${ruleName}': ${camelName},\n  // new-rule: entries`);
writeFileSync(registryPath, registry);
console.log('registered in rules/index.ts');
