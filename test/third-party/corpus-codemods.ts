/**
 * Runs a codemod over one corpus package the way a team migrating a repository would: the real
 * CLI in a real process, first `--dry --json`, then for real on a copy of the package, then a second
 * time to prove nothing is left to change. The copy is type-checked by `tsc` itself before and
 * after, independently of the codemod's own verification.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { createTwoFilesPatch, structuredPatch, type StructuredPatchHunk } from 'diff';

import type { CodemodJsonReport } from '../../codemods/report.js';
import { type CorpusPackage, corpusSlug, corpusTsconfig, includedPatterns, packageDirectory, prepareSources, repositoryRoot } from './corpus.js';

export const corpusCodemodNames = ['to-using', 'to-error-returns'] as const;
export type CorpusCodemodName = (typeof corpusCodemodNames)[number];

/** The codemods run on a package: all of them, unless it names some (see `CorpusPackage.codemods`). */
export function codemodsOf(corpusPackage: CorpusPackage): CorpusCodemodName[] {
  return corpusCodemodNames.filter((codemod) => corpusPackage.codemods?.includes(codemod) ?? true);
}

/** A conversion or a refusal, as the reviewed codemod files keep it. */
export interface Rewrite {
  kind: 'conversion' | 'refusal';
  /** Relative to the package directory, with `/`. */
  file: string;
  line: number;
  message: string;
  /**
   * For a conversion, a hash of the lines the run removed and added in the hunks at or near its
   * line, so a reviewed conversion whose rewrite changes is read again even if its message did not.
   * A hash, not the lines: third-party code stays out of the repository (the diff is in
   * `.predictable-tmp-corpus-diffs/`).
   */
  edit?: string;
}

export interface CodemodCorpusRun {
  dry: CodemodJsonReport;
  applied: CodemodJsonReport;
  second: CodemodJsonReport;
  /** `tsc` errors on the copy after the run that it did not have before. */
  addedDiagnostics: string[];
  rewrites: Rewrite[];
  /** What the real run wrote, as a unified diff against the package, for a reviewer to read. */
  diff: string;
}

const cliEntry = join(repositoryRoot, 'cli.ts');
const tsxBin = join(repositoryRoot, 'node_modules/.bin/tsx');
const tscBin = join(repositoryRoot, 'node_modules/.bin/tsc');

/**
 * A copy of the package outside `node_modules` (the codemods never touch files in there), with
 * the package's own `node_modules` linked in so its nested dependencies still resolve, and a
 * tsconfig with the options the lint corpus uses.
 */
function copyPackage(corpusPackage: CorpusPackage): string {
  prepareSources(corpusPackage);
  const parent = join(repositoryRoot, '.predictable-tmp-corpus');
  mkdirSync(parent, { recursive: true });
  const copy = mkdtempSync(join(parent, `${corpusSlug(corpusPackage.name)}-`));
  const source = packageDirectory(corpusPackage);
  cpSync(source, copy, { recursive: true, filter: (path) => relative(source, path).split('/')[0] !== 'node_modules' });
  if (existsSync(join(source, 'node_modules'))) {
    symlinkSync(join(source, 'node_modules'), join(copy, 'node_modules'), 'dir');
  }
  writeFileSync(join(copy, 'tsconfig.corpus.json'), JSON.stringify(corpusTsconfig(corpusPackage), null, 2));
  return copy;
}

function runCli(copy: string, codemod: CorpusCodemodName, corpusPackage: CorpusPackage, flags: readonly string[]): CodemodJsonReport {
  const patterns = includedPatterns(corpusPackage);
  const ignored = (corpusPackage.leftOut ?? []).flatMap((leftOut) => ['--ignore-pattern', leftOut.pattern]);
  const result = spawnSync(tsxBin, [cliEntry, 'codemod', codemod, ...patterns, '--tsconfig', 'tsconfig.corpus.json', '--json', ...ignored, ...flags], {
    cwd: copy,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`predictable codemod ${codemod} ${flags.join(' ')} on ${corpusPackage.name} exited ${result.status ?? result.signal ?? '?'}: ${result.stderr.slice(0, 2000)}`);
  }
  return JSON.parse(result.stdout) as CodemodJsonReport;
}

/** `tsc`'s errors as `file: TSxxxx message`, without positions, so a moved line is not a new error. */
function typeErrors(copy: string): string[] {
  let output: string;
  try {
    output = execFileSync(tscBin, ['-p', 'tsconfig.corpus.json', '--noEmit', '--pretty', 'false'], { cwd: copy, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? '';
  }
  return output
    .split('\n')
    .map((line) => /^(.+?)\(\d+,\d+\): error (TS\d+: .*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${match[1] ?? ''}: ${match[2] ?? ''}`);
}

/** What `after` has more of than `before`, counting each distinct error. */
function addedErrors(before: readonly string[], after: readonly string[]): string[] {
  const remaining = new Map<string, number>();
  for (const error of before) remaining.set(error, (remaining.get(error) ?? 0) + 1);
  const added: string[] = [];
  for (const error of after) {
    const count = remaining.get(error) ?? 0;
    if (count > 0) remaining.set(error, count - 1);
    else added.push(error);
  }
  return added;
}

function diffAgainstPackage(corpusPackage: CorpusPackage, copy: string, report: CodemodJsonReport): string {
  const patches = report.files
    .filter((file) => file.status === 'changed' || file.status === 'created')
    .map((file) => {
      const before = join(packageDirectory(corpusPackage), file.file);
      const oldText = existsSync(before) ? readFileSync(before, 'utf8') : '';
      return createTwoFilesPatch(`a/${file.file}`, `b/${file.file}`, oldText, readFileSync(join(copy, file.file), 'utf8'));
    });
  return patches.join('');
}

/** Each changed file's hunks, without context lines, against the package as shipped. */
function changedHunks(corpusPackage: CorpusPackage, copy: string, report: CodemodJsonReport): Map<string, StructuredPatchHunk[]> {
  const hunks = new Map<string, StructuredPatchHunk[]>();
  for (const file of report.files.filter((entry) => entry.status === 'changed' || entry.status === 'created')) {
    const before = join(packageDirectory(corpusPackage), file.file);
    const oldText = existsSync(before) ? readFileSync(before, 'utf8') : '';
    hunks.set(file.file, structuredPatch(file.file, file.file, oldText, readFileSync(join(copy, file.file), 'utf8'), '', '', { context: 0 }).hunks);
  }
  return hunks;
}

/** A hash of the changed lines of the hunks that touch the original lines around `line` (a check is often inserted just above it). */
function editNear(hunks: readonly StructuredPatchHunk[], line: number): string {
  const NEAR = 3;
  const lines = hunks
    .filter((hunk) => hunk.oldStart - NEAR <= line && line <= hunk.oldStart + Math.max(hunk.oldLines, 1) - 1 + NEAR)
    .flatMap((hunk) => hunk.lines);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

export function compareRewrites(left: Rewrite, right: Rewrite): number {
  return left.file.localeCompare(right.file) || left.line - right.line || left.kind.localeCompare(right.kind) || left.message.localeCompare(right.message);
}

/**
 * When the dry run changes nothing there is nothing to write, type-check or run again: the run
 * for real would be the same computation, so it is not repeated.
 */
export function runCodemodOnCorpusPackage(corpusPackage: CorpusPackage, codemod: CorpusCodemodName): CodemodCorpusRun {
  const copy = copyPackage(corpusPackage);
  try {
    const dry = runCli(copy, codemod, corpusPackage, ['--dry']);
    let applied = dry;
    let second = dry;
    let addedDiagnostics: string[] = [];
    let diff = '';
    if (dry.counts.changed > 0) {
      const before = typeErrors(copy);
      applied = runCli(copy, codemod, corpusPackage, ['--force']);
      addedDiagnostics = addedErrors(before, typeErrors(copy));
      diff = diffAgainstPackage(corpusPackage, copy, applied);
      second = runCli(copy, codemod, corpusPackage, ['--force']);
    }
    const hunks = changedHunks(corpusPackage, copy, applied);
    const rewrites: Rewrite[] = [
      ...applied.conversions.map((item): Rewrite => ({ kind: 'conversion', file: item.file, line: item.line, message: item.reason, edit: editNear(hunks.get(item.file) ?? [], item.line) })),
      ...applied.refusals.map((item): Rewrite => ({ kind: 'refusal', file: item.file, line: item.line, message: item.reason })),
    ].sort(compareRewrites);
    return { dry, applied, second, addedDiagnostics, rewrites, diff };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * What must hold on every package whatever the codemod converts: no file errors, the dry run
 * and the real one agree, no new type error, and a second run changes nothing.
 */
export function describeRunProblems(run: CodemodCorpusRun): string[] {
  const problems: string[] = [];
  for (const report of [run.dry, run.applied, run.second]) {
    for (const file of report.files.filter((entry) => entry.status === 'errored')) {
      problems.push(`${report.dry ? 'dry run' : 'run'}: ${file.file} errored: ${file.reason ?? 'no reason given'}`);
    }
  }
  const place = (item: { file: string; line: number; reason: string }): string => `${item.file}:${item.line} ${item.reason}`;
  if (JSON.stringify(run.dry.conversions.map(place)) !== JSON.stringify(run.applied.conversions.map(place))) {
    problems.push('the dry run and the real run converted different sites');
  }
  for (const diagnostic of run.addedDiagnostics) problems.push(`tsc reports a new error after the run: ${diagnostic}`);
  for (const file of run.second.files.filter((entry) => entry.status === 'changed' || entry.status === 'created')) {
    problems.push(`a second run changed ${file.file} again`);
  }
  return problems;
}
