import { ESLint, type Linter } from 'eslint';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type ts from 'typescript';

import { NO_INPUTS_FOUND, readTsconfigErrors } from './analysis/core/tsconfig-errors.js';
import { type LearnedResource, listenToLearnedResources } from './analysis/resources/learned-resources.js';
import { formatSarif } from './check/sarif.js';
import { UNRESOLVED_IMPORTS_RULE_ID, unresolvedImportsRule } from './check/unresolved-imports-rule.js';
import plugin from './index.js';
import { commonAncestor, isAtOrUnder } from './paths.js';

/** What `predictable check` found, for the CLI and for programmatic callers. */
export interface CheckReport {
  results: ESLint.LintResult[];
  /** Problems per rule id (`predictable/...`), only rules that found something. */
  problemsByRule: Map<string, number>;
  /** Files not covered by any tsconfig: linted without types would mean guessing, so skipped. */
  filesOutsideTsconfig: string[];
  /** Files inside the given directories that the repository's ignore files leave out. */
  filesIgnoredByGit: string[];
  /** Files given by name that are not TypeScript (a hook may pass every staged file). */
  filesNotTypeScript: string[];
  /** Files that could not be parsed or linted at all. */
  filesWithFatalErrors: string[];
  /** Module specifiers TypeScript could not resolve, with the files importing each. */
  unresolvedImports: Map<string, string[]>;
  /** `eslint-disable` comments naming rules the audit does not run: not findings, just counted. */
  directivesForOtherRules: number;
  /** Types `no-undisposed-resources` learned are resources, from the project's own `finally` releases. */
  learnedResources: { name: string; method: string; sites: number }[];
  filesLinted: number;
  tsconfigRootDir: string;
  /** The directory paths in the output are relative to. */
  cwd: string;
}

export interface CheckOptions {
  paths: readonly string[];
  cwd: string;
  /** Report errors only, as ESLint's `--quiet`. */
  quiet?: boolean;
  /** Called after each batch of files, for a progress display. */
  onProgress?: (filesDone: number, filesTotal: number) => void;
}

/** A formatter resolved before anything is linted, so a typo costs a second, not a whole run. */
export interface CheckFormatter {
  format(report: CheckReport): Promise<string>;
}

const TYPESCRIPT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts']);
/** The files the audit lints; `--staged` narrows git's list with the same globs. */
export const TYPESCRIPT_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
/** Enough files per `lintFiles` call for a progress display to move, few enough to cost nothing. */
const FILES_PER_BATCH = 25;

/** typescript-eslint's wording when the project service has no tsconfig that includes a file. */
const OUTSIDE_TSCONFIG_MESSAGE = /was not found by the project service/;
/** ESLint's wording for a disable comment that names a rule it does not know. */
const UNKNOWN_RULE_MESSAGE = /^Definition for rule '.*' was not found\.?$/;

/** The directory of the nearest `tsconfig.json` at or above `start`, the root of typed linting. */
export function findTsconfigRootDir(start: string): string | undefined {
  let directory = existsSync(start) && statSync(start).isFile() ? dirname(start) : start;
  for (;;) {
    if (existsSync(join(directory, 'tsconfig.json'))) {
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) {
      return undefined;
    }
    directory = parent;
  }
}

export class CheckUsageError extends Error {
  override name = 'CheckUsageError';
}

function describeList(files: readonly string[], cwd: string, limit = 5): string {
  const shown = files.slice(0, limit).map((file) => relative(cwd, file));
  return files.length > limit ? `${shown.join(', ')} and ${String(files.length - limit)} more` : shown.join(', ');
}

/**
 * The files of `candidates` that git's ignore rules (every `.gitignore`, `.git/info/exclude`, the
 * global excludes file) leave out, or none outside a git repository. Git answers, rather than a
 * reimplementation of its pattern rules. A file reached through a symbolic link is not asked
 * about: git stops at links and would refuse the whole question.
 */
function filesIgnoredByGit(candidates: readonly string[], cwd: string): Set<string> {
  const direct = candidates.filter((file) => realpathSync(file) === file);
  if (direct.length === 0) {
    return new Set();
  }
  try {
    const output = execFileSync('git', ['check-ignore', '-z', '--stdin'], {
      cwd,
      input: direct.join('\0'),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    return new Set(output.split('\0').filter((path) => path.length > 0).map((path) => resolve(cwd, path)));
  } catch (error) {
    // Exit status 1 means "none of them is ignored"; anything else (not a repository, no git)
    // means there are no git ignore rules to follow.
    const status = (error as { status?: unknown }).status;
    const stdout = (error as { stdout?: unknown }).stdout;
    if (status === 1 || typeof stdout !== 'string') {
      return new Set();
    }
    return new Set(stdout.split('\0').filter((path) => path.length > 0).map((path) => resolve(cwd, path)));
  }
}

interface FileSelection {
  files: string[];
  ignored: string[];
  notTypeScript: string[];
}

async function selectFiles(absolutePaths: readonly string[], cwd: string): Promise<FileSelection> {
  const namedFiles: string[] = [];
  const notTypeScript: string[] = [];
  const found: string[] = [];
  for (const path of absolutePaths) {
    if (statSync(path).isDirectory()) {
      // Symbolic links are followed: a folder of links to the real sources is checked, not
      // reported clean with nothing read.
      const inDirectory = await glob(TYPESCRIPT_FILES, {
        cwd: path,
        absolute: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
      });
      found.push(...inDirectory.map((file) => resolve(file)));
    } else if (TYPESCRIPT_EXTENSIONS.has(extname(path))) {
      // Named on the command line (a hook passing staged files): checked even where an ignore
      // file would leave it out, as ESLint does for its own explicit arguments.
      namedFiles.push(path);
    } else {
      notTypeScript.push(path);
    }
  }
  const ignored = filesIgnoredByGit(found, cwd);
  const files = [...new Set([...namedFiles, ...found.filter((file) => !ignored.has(file))])].sort();
  return { files, ignored: [...ignored].sort(), notTypeScript };
}

function nothingToCheck(paths: readonly string[], selection: FileSelection, cwd: string): CheckUsageError {
  const where = paths.map((path) => relative(cwd, path) || '.').join(', ');
  const reasons: string[] = [];
  if (selection.ignored.length > 0) {
    reasons.push(`${String(selection.ignored.length)} ignored by .gitignore (${describeList(selection.ignored, cwd, 3)})`);
  }
  if (selection.notTypeScript.length > 0) {
    reasons.push(`not TypeScript: ${describeList(selection.notTypeScript, cwd, 3)}`);
  }
  return new CheckUsageError(`no TypeScript files to check in ${where}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`);
}

/** The directory ESLint runs in: it lints nothing outside its `cwd`, so it must contain every path. */
function chooseLintCwd(cwd: string, absolutePaths: readonly string[], tsconfigRootDir: string): string {
  if (absolutePaths.every((path) => isAtOrUnder(path, cwd))) {
    return cwd;
  }
  if (absolutePaths.every((path) => isAtOrUnder(path, tsconfigRootDir))) {
    return tsconfigRootDir;
  }
  return commonAncestor(absolutePaths);
}

function createAuditLinter(lintCwd: string, tsconfigRootDir: string): ESLint {
  const config: Linter.Config[] = [
    {
      ...(plugin.configs.recommended as unknown as Linter.Config),
      plugins: {
        ...(plugin.configs.recommended.plugins as Linter.Config['plugins']),
        'predictable-check': { rules: { 'unresolved-imports': unresolvedImportsRule } } as unknown as ESLint.Plugin,
      },
      rules: { ...plugin.configs.recommended.rules, [UNRESOLVED_IMPORTS_RULE_ID]: 'warn' },
      files: TYPESCRIPT_FILES,
      languageOptions: {
        ...(plugin.configs.recommended.languageOptions as Linter.LanguageOptions),
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      linterOptions: { reportUnusedDisableDirectives: 'off' },
    },
  ];
  return new ESLint({ cwd: lintCwd, overrideConfigFile: true, overrideConfig: config, errorOnUnmatchedPattern: false });
}

/** Names ESLint's built-in formatters answer to, for the message about an unknown one. */
const KNOWN_FORMATS = ['stylish', 'json', 'json-with-metadata', 'html', 'sarif'];

/**
 * A zero-config audit: this plugin's recommended rules with typed linting, whatever ESLint
 * configuration the project has or lacks (its own config file is deliberately not loaded, so the
 * audit means the same thing in every repository).
 *
 * Returns a runner rather than running at once so that the formatter is resolved, and every
 * usage error raised, before the slow part.
 */
export async function prepareCheck(
  options: CheckOptions & { format: string },
): Promise<{ run: () => Promise<CheckReport>; emptyReport: () => CheckReport; formatter: CheckFormatter }> {
  const paths = options.paths.length === 0 ? ['.'] : options.paths;
  const absolutePaths = paths.map((path) => resolve(options.cwd, path));
  const missing = absolutePaths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new CheckUsageError(`no such file or directory: ${missing.join(', ')}`);
  }
  const firstPath = absolutePaths[0] ?? options.cwd;
  const foundTsconfigRootDir = findTsconfigRootDir(firstPath);
  if (foundTsconfigRootDir === undefined) {
    throw new CheckUsageError(
      `no tsconfig.json at or above ${firstPath}: the rules need type information, so the audit needs a TypeScript project`,
    );
  }
  const tsconfigRootDir = foundTsconfigRootDir;
  const tsconfigPath = join(tsconfigRootDir, 'tsconfig.json');
  // A tsconfig that matches no file is reported below, with the paths and what was skipped.
  const tsconfigErrors = readTsconfigErrors(tsconfigPath)
    .filter((error) => error.code !== NO_INPUTS_FOUND)
    .map((error) => error.message);
  if (tsconfigErrors.length > 0) {
    throw new CheckUsageError(
      `${relative(options.cwd, tsconfigPath) || tsconfigPath} does not load, so its files cannot be type-checked: ${tsconfigErrors.join('; ')}`,
    );
  }
  const lintCwd = chooseLintCwd(options.cwd, absolutePaths, tsconfigRootDir);
  const eslint = createAuditLinter(lintCwd, tsconfigRootDir);
  const formatter = await resolveFormatter(eslint, options.format, options.cwd);

  async function run(): Promise<CheckReport> {
    const selection = await selectFiles(absolutePaths, lintCwd);
    if (selection.files.length === 0) {
      throw nothingToCheck(absolutePaths, selection, options.cwd);
    }
    const lintResults: ESLint.LintResult[] = [];
    const learned = new Map<ts.Symbol, LearnedResource>();
    listenToLearnedResources((table) => {
      for (const resource of table.resources) learned.set(resource.symbol, resource);
    });
    try {
      for (let start = 0; start < selection.files.length; start += FILES_PER_BATCH) {
        lintResults.push(...(await eslint.lintFiles(selection.files.slice(start, start + FILES_PER_BATCH))));
        options.onProgress?.(Math.min(start + FILES_PER_BATCH, selection.files.length), selection.files.length);
      }
    } finally {
      listenToLearnedResources(undefined);
    }
    const report = summarise(lintResults, selection, { tsconfigRootDir, cwd: options.cwd, quiet: options.quiet === true });
    report.learnedResources = [...learned.values()].map((resource) => ({ name: resource.name, method: resource.method === '' ? 'release function' : resource.method, sites: resource.sites.length }));
    return report;
  }
  const emptyReport = (): CheckReport => summarise([], { files: [], ignored: [], notTypeScript: [] }, { tsconfigRootDir, cwd: options.cwd, quiet: false });
  return { run, emptyReport, formatter };
}

/** `prepareCheck` and its run in one call, for callers that need no progress or formatter. */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const { run } = await prepareCheck({ ...options, format: 'stylish' });
  return run();
}

function withMessages(result: ESLint.LintResult, messages: Linter.LintMessage[]): ESLint.LintResult {
  const errors = messages.filter((message) => message.severity === 2);
  const warnings = messages.filter((message) => message.severity === 1);
  return {
    ...result,
    messages,
    errorCount: errors.length,
    fatalErrorCount: errors.filter((message) => message.fatal === true).length,
    warningCount: warnings.length,
    fixableErrorCount: errors.filter((message) => message.fix !== undefined).length,
    fixableWarningCount: warnings.filter((message) => message.fix !== undefined).length,
  };
}

function summarise(
  lintResults: readonly ESLint.LintResult[],
  selection: FileSelection,
  context: { tsconfigRootDir: string; cwd: string; quiet: boolean },
): CheckReport {
  const results: ESLint.LintResult[] = [];
  const filesOutsideTsconfig: string[] = [];
  const filesWithFatalErrors: string[] = [];
  const problemsByRule = new Map<string, number>();
  const unresolvedImports = new Map<string, string[]>();
  let directivesForOtherRules = 0;
  for (const result of lintResults) {
    const fatal = result.messages.find((message) => message.fatal === true);
    if (fatal !== undefined && OUTSIDE_TSCONFIG_MESSAGE.test(fatal.message)) {
      filesOutsideTsconfig.push(result.filePath);
      continue;
    }
    if (fatal !== undefined) {
      filesWithFatalErrors.push(result.filePath);
    }
    const kept: Linter.LintMessage[] = [];
    for (const message of result.messages) {
      if (message.ruleId === UNRESOLVED_IMPORTS_RULE_ID) {
        unresolvedImports.set(message.message, [...(unresolvedImports.get(message.message) ?? []), result.filePath]);
      } else if (message.ruleId !== null && !message.ruleId.startsWith('predictable/') && UNKNOWN_RULE_MESSAGE.test(message.message)) {
        // `// eslint-disable-next-line @typescript-eslint/…` in a project that runs that plugin:
        // the audit does not load it, and the comment is not a finding of the audit's rules.
        directivesForOtherRules += 1;
      } else if (!context.quiet || message.severity === 2) {
        kept.push(message);
      }
    }
    for (const message of kept) {
      if (message.ruleId !== null) {
        problemsByRule.set(message.ruleId, (problemsByRule.get(message.ruleId) ?? 0) + 1);
      }
    }
    results.push(withMessages(result, kept));
  }
  return {
    results,
    problemsByRule,
    filesOutsideTsconfig,
    filesIgnoredByGit: selection.ignored,
    filesNotTypeScript: selection.notTypeScript,
    filesWithFatalErrors,
    unresolvedImports,
    directivesForOtherRules,
    learnedResources: [],
    filesLinted: results.length,
    tsconfigRootDir: context.tsconfigRootDir,
    cwd: context.cwd,
  };
}

export function countProblems(report: CheckReport): number {
  return report.results.reduce((sum, result) => sum + result.errorCount + result.warningCount, 0);
}

export function countWarnings(report: CheckReport): number {
  return report.results.reduce((sum, result) => sum + result.warningCount, 0);
}

/**
 * The formatter of that name: `sarif`, or whatever ESLint loads (`stylish`, `json`,
 * `json-with-metadata`, a package). It formats with the ESLint instance that linted, because
 * formatters that print rule metadata ask that instance for it.
 */
async function resolveFormatter(eslint: ESLint, name: string, cwd: string): Promise<CheckFormatter> {
  if (name === 'sarif') {
    return { format: (report) => Promise.resolve(formatSarif(report.results, eslint.getRulesMetaForResults(report.results), report.cwd)) };
  }
  let loaded: ESLint.LoadedFormatter;
  try {
    loaded = await eslint.loadFormatter(name);
  } catch {
    throw new CheckUsageError(`unknown format '${name}': use one of ${KNOWN_FORMATS.join(', ')}, or an installed ESLint formatter package`);
  }
  return { format: async (report) => loaded.format(report.results, { cwd, maxWarningsExceeded: undefined } as unknown as ESLint.ResultsMeta) };
}

/** Lines for the end of the output: what was left out and why, so no silence reads as "clean". */
export function describeCoverage(report: CheckReport): string[] {
  const { cwd } = report;
  const lines: string[] = [];
  if (report.filesOutsideTsconfig.length > 0) {
    lines.push(`skipped ${String(report.filesOutsideTsconfig.length)} file(s) that no tsconfig.json includes: ${describeList(report.filesOutsideTsconfig, cwd)}`);
  }
  if (report.filesIgnoredByGit.length > 0) {
    lines.push(`skipped ${String(report.filesIgnoredByGit.length)} file(s) that .gitignore leaves out: ${describeList(report.filesIgnoredByGit, cwd)} (name them to check them)`);
  }
  if (report.filesNotTypeScript.length > 0) {
    lines.push(`skipped ${String(report.filesNotTypeScript.length)} file(s) that are not TypeScript: ${describeList(report.filesNotTypeScript, cwd)}`);
  }
  if (report.unresolvedImports.size > 0) {
    const importers = new Set([...report.unresolvedImports.values()].flat());
    const specifiers = [...report.unresolvedImports]
      .sort(([, a], [, b]) => b.length - a.length)
      .slice(0, 5)
      .map(([specifier, files]) => `${specifier} (${String(files.length)} file(s))`);
    const more = report.unresolvedImports.size > 5 ? ` and ${String(report.unresolvedImports.size - 5)} more` : '';
    const nodeHint = [...report.unresolvedImports.keys()].some((specifier) => specifier.startsWith('node:'))
      ? '; for node: modules add "types": ["node"] to tsconfig.json (TypeScript 6 loads no @types package by default) and install @types/node'
      : '';
    lines.push(
      `warning: ${String(importers.size)} file(s) import modules TypeScript cannot resolve, so what they import is \`any\` and the rules cannot see into it: ${specifiers.join(', ')}${more}${nodeHint}`,
    );
  }
  if (report.directivesForOtherRules > 0) {
    lines.push(`ignored ${String(report.directivesForOtherRules)} disable comment(s) for rules the audit does not run`);
  }
  if (report.learnedResources.length > 0) {
    const learned = [...report.learnedResources].sort((a, b) => b.sites - a.sites || a.name.localeCompare(b.name));
    lines.push(`learned resources: ${learned.map((resource) => `${resource.name} (${resource.method}, ${String(resource.sites)} site${resource.sites === 1 ? '' : 's'})`).join(', ')}`);
  }
  return lines;
}
