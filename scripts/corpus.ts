/**
 * `npm run corpus [-- <package>...] [--check]`: lints the real-code corpus with every rule and
 * brings `test/third-party/<package>.reviewed.json` in step with what the rules report now: verdicts
 * kept where the finding is the same, new findings added with an empty verdict for a reviewer to
 * write, vanished ones dropped and listed. With `--check` it writes nothing and exits 1 when
 * anything moved, which is what the CI test checks too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import pc from 'picocolors';

import { type CorpusPackage, corpusPackages, corpusSlug, installedVersion, repositoryRoot, writeTsconfig } from '../test/third-party/corpus.js';
import { codemodsOf, type CorpusCodemodName, describeRunProblems, runCodemodOnCorpusPackage } from '../test/third-party/corpus-codemods.js';
import { lintCorpusPackage, ruleNames } from '../test/third-party/corpus-lint.js';
import {
  compareWithReviewed,
  compareWithReviewedRewrites,
  describeComparison,
  describeRewritesComparison,
  formatPrecision,
  hasReviewed,
  hasReviewedRewrites,
  isInStep,
  precisionByRule,
  readReviewed,
  readReviewedRewrites,
  type ReviewedFile,
  updateReviewed,
  updateReviewedRewrites,
  writeReviewed,
  writeReviewedRewrites,
} from '../test/third-party/reviewed.js';

interface CorpusFlags {
  check?: boolean;
  /** Commander's negation of `--no-codemods`. */
  codemods: boolean;
  /** Commander's negation of `--no-rules`. */
  rules: boolean;
}

function selectPackages(names: readonly string[]): CorpusPackage[] {
  if (names.length === 0) return [...corpusPackages];
  return names.map((name) => {
    const found = corpusPackages.find((corpusPackage) => corpusPackage.name === name || corpusSlug(corpusPackage.name) === name);
    if (found === undefined) {
      throw new CorpusUsageError(`'${name}' is not in the corpus; known: ${corpusPackages.map((corpusPackage) => corpusPackage.name).join(', ')}`);
    }
    return found;
  });
}

class CorpusUsageError extends Error {}

/** Where the diffs of what each codemod wrote go, to read while reviewing (git-ignored). */
const diffDirectory = join(repositoryRoot, '.predictable-tmp-corpus-diffs');

/** The corpus is pinned: a version other than `package.json` says makes every line number stale. */
function checkPinnedVersion(corpusPackage: CorpusPackage): string {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const pinned = manifest.devDependencies?.[corpusPackage.name];
  const installed = installedVersion(corpusPackage);
  if (pinned !== installed) {
    throw new CorpusUsageError(`${corpusPackage.name}: installed ${installed}, but package.json pins ${pinned ?? 'nothing'}; pin it exactly and run npm install`);
  }
  return installed;
}

/** Lints one package and brings its reviewed findings in step; `true` when anything moved. */
async function reviewFindings(corpusPackage: CorpusPackage, version: string, flags: CorpusFlags): Promise<{ moved: boolean; broken: boolean }> {
  if (writeTsconfig(corpusPackage) && flags.check === true) {
    console.log(pc.yellow(`${corpusPackage.name}: its tsconfig was out of step with test/third-party/corpus.ts and has been rewritten`));
  }
  const started = performance.now();
  const result = await lintCorpusPackage(corpusPackage);
  const reviewed = readReviewed(corpusPackage);
  const comparison = compareWithReviewed(result.findings, reviewed, version);
  const status = isInStep(comparison) ? pc.green('in step') : pc.yellow('moved');
  console.log(`${corpusPackage.name}@${version}: ${result.filesLinted} files, ${result.findings.length} findings, ${secondsSince(started)} s: ${status}`);
  for (const line of describeComparison(corpusPackage, comparison)) console.log(`  ${line}`);
  for (const line of result.fatal) console.log(pc.red(`  not checked: ${line}`));
  // A package with no findings still gets its file: "reviewed, nothing reported" is a fact to keep.
  const moved = !isInStep(comparison) || !hasReviewed(corpusPackage);
  if (moved && flags.check !== true) writeReviewed(corpusPackage, updateReviewed(result.findings, reviewed, version));
  return { moved, broken: result.fatal.length > 0 };
}

/** Runs one codemod over one package and brings its reviewed rewrites in step. */
function reviewRewrites(corpusPackage: CorpusPackage, codemod: CorpusCodemodName, version: string, flags: CorpusFlags): { moved: boolean; broken: boolean } {
  const started = performance.now();
  const run = runCodemodOnCorpusPackage(corpusPackage, codemod);
  const reviewed = readReviewedRewrites(corpusPackage, codemod);
  const comparison = compareWithReviewedRewrites(run.rewrites, reviewed, version);
  const problems = describeRunProblems(run);
  const status = isInStep(comparison) ? pc.green('in step') : pc.yellow('moved');
  const { conversions, refusals } = run.applied;
  console.log(`  ${codemod}: ${conversions.length} conversions, ${refusals.length} refusals, ${run.applied.counts.changed} files changed, ${secondsSince(started)} s: ${status}`);
  for (const line of describeRewritesComparison(corpusPackage, codemod, comparison)) console.log(`    ${line}`);
  for (const line of problems) console.log(pc.red(`    ${line}`));
  if (run.diff !== '') {
    // Third-party code stays out of the repository: the diffs go to a git-ignored folder.
    mkdirSync(diffDirectory, { recursive: true });
    writeFileSync(join(diffDirectory, `${corpusSlug(corpusPackage.name)}.${codemod}.diff`), run.diff);
  }
  const moved = !isInStep(comparison) || !hasReviewedRewrites(corpusPackage, codemod);
  if (moved && flags.check !== true) writeReviewedRewrites(corpusPackage, updateReviewedRewrites(run.rewrites, reviewed, version));
  return { moved, broken: problems.length > 0 };
}

function secondsSince(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}

async function main(names: readonly string[], flags: CorpusFlags): Promise<number> {
  const selected = selectPackages(names);
  let moved = 0;
  let broken = 0;
  const count = (outcome: { moved: boolean; broken: boolean }): void => {
    if (outcome.moved) moved += 1;
    if (outcome.broken) broken += 1;
  };
  for (const corpusPackage of selected) {
    const version = checkPinnedVersion(corpusPackage);
    if (flags.rules) count(await reviewFindings(corpusPackage, version, flags));
    if (flags.codemods) {
      for (const codemod of codemodsOf(corpusPackage)) count(reviewRewrites(corpusPackage, codemod, version, flags));
    }
  }
  const allReviewed: ReviewedFile[] = corpusPackages.map(readReviewed);
  console.log(`\n${formatPrecision(precisionByRule(allReviewed, ruleNames))}`);
  if (broken > 0) {
    console.log(pc.red(`\n${broken} run(s) had problems (red above): files not checked, errored files, new type errors or a second run that changed something`));
  }
  if (moved > 0) {
    console.log(
      flags.check === true
        ? pc.yellow(`\n${moved} reviewed file(s) out of step: run \`npm run corpus\`, then review every new entry in the .reviewed.json files`)
        : pc.yellow(`\n${moved} reviewed file(s) updated: write a verdict for every entry with an empty one, and read the removed lines in \`git diff\``),
    );
  }
  return broken > 0 || (flags.check === true && moved > 0) ? 1 : 0;
}

const program = new Command('corpus')
  .description('lint the real-code corpus and bring the reviewed findings in step')
  .argument('[packages...]', 'corpus packages by npm name or folder name (default: all)')
  .option('--check', 'write nothing; exit 1 when any finding or rewrite is new, vanished, changed or has no verdict')
  .option('--no-codemods', 'only lint; do not run the codemods')
  .option('--no-rules', 'only run the codemods; do not lint')
  .action(async (names: string[], flags: CorpusFlags) => {
    process.exitCode = await main(names, flags);
  });

try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CorpusUsageError)) throw error;
  console.error(`corpus: ${error.message}`);
  process.exitCode = 2;
}
