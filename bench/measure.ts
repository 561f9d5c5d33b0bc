/**
 * One measurement in a fresh process (so memory figures are not shared between configurations):
 * lints a corpus with one configuration and prints `{ milliseconds, peakRssMegabytes, problems }`.
 *
 *   tsx bench/measure.ts <configuration> <tsconfig> [cwd]
 *
 * `cwd` is where ESLint runs from; a corpus inside node_modules needs it to be the package folder,
 * since ESLint ignores anything under a node_modules folder below its cwd.
 */
import { ESLint, type Linter } from 'eslint';
import { dirname, resolve } from 'node:path';
import tseslint from 'typescript-eslint';

import plugin from '../index.js';

const [configurationName, tsconfigArgument, cwdArgument] = process.argv.slice(2);
if (configurationName === undefined || tsconfigArgument === undefined) {
  console.error('usage: tsx bench/measure.ts <configuration> <tsconfig>');
  process.exit(2);
}
const tsconfigPath = resolve(tsconfigArgument);

function rulesFor(name: string): Linter.RulesRecord {
  if (name === 'typed-parse-only') {
    return {};
  }
  if (name === 'no-floating-promises') {
    return { '@typescript-eslint/no-floating-promises': 'error' };
  }
  if (name === 'predictable-recommended') {
    return plugin.configs.recommended.rules;
  }
  if (name.startsWith('predictable/')) {
    return { [name]: 'error' };
  }
  throw new Error(`unknown configuration ${name}`);
}

const eslint = new ESLint({
  cwd: cwdArgument === undefined ? dirname(tsconfigPath) : resolve(cwdArgument),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      // A corpus's own disable comments name rules this configuration does not load.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      plugins: {
        predictable: plugin as unknown as ESLint.Plugin,
        '@typescript-eslint': tseslint.plugin,
      },
      languageOptions: {
        parser: tseslint.parser,
        parserOptions: { project: tsconfigPath, tsconfigRootDir: dirname(tsconfigPath) },
      },
      rules: rulesFor(configurationName),
    },
  ],
  ignore: false,
});

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const started = performance.now();
const { fileNames } = await import('typescript').then((ts) => {
  const config = ts.default.getParsedCommandLineOfConfigFile(tsconfigPath, {}, {
    ...ts.default.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.default.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error(`cannot read ${tsconfigPath}`);
  return config;
});
const results = await eslint.lintFiles(fileNames);
const milliseconds = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

const fatal = results.flatMap((result) => result.messages.filter((message) => message.fatal === true));
if (fatal.length > 0) {
  console.error(`fatal: ${fatal[0]?.message ?? ''}`);
  process.exit(1);
}
if (process.env.BENCH_DEBUG !== undefined) {
  for (const result of results) for (const message of result.messages) console.error(result.filePath, message.line, message.ruleId, message.message);
}
// Only rule reports count: with `noInlineConfig`, ESLint also warns about every disable comment.
const problems = results.reduce((sum, result) => sum + result.messages.filter((message) => message.ruleId !== null).length, 0);
console.log(JSON.stringify({ milliseconds, peakRssMegabytes: peakRss / 2 ** 20, problems, files: results.length }));
