/**
 * The reviewed files: one verdict per finding, written by reading the code around it as a
 * maintainer of that package would. What the rules report today is compared with them, so any
 * change in what a rule reports on real code is a list to review, not a silent drift.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type CorpusPackage, corpusSlug, installedVersion, repositoryRoot } from './corpus.js';
import { compareRewrites, type CorpusCodemodName, type Rewrite } from './corpus-codemods.js';
import { compareFindings, type Finding } from './corpus-lint.js';

export interface ReviewedFinding extends Finding {
  /** `True: <why this is a real problem>` or `False: <why it is not>`; empty until reviewed. */
  verdict: string;
}

export interface ReviewedFile {
  package: string;
  /** The version the verdicts were written against; line numbers mean nothing in another. */
  version: string;
  findings: ReviewedFinding[];
}

/** A verdict is a judgement and a reason, not a word. */
const VERDICT = /^(True|False): \S.{15,}/s;

export function reviewedPath(corpusPackage: CorpusPackage): string {
  return join(repositoryRoot, 'test/third-party', `${corpusSlug(corpusPackage.name)}.reviewed.json`);
}

export function hasReviewed(corpusPackage: CorpusPackage): boolean {
  return existsSync(reviewedPath(corpusPackage));
}

export function readReviewed(corpusPackage: CorpusPackage): ReviewedFile {
  const path = reviewedPath(corpusPackage);
  if (!existsSync(path)) {
    return { package: corpusPackage.name, version: installedVersion(corpusPackage), findings: [] };
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ReviewedFile;
}

export function writeReviewed(corpusPackage: CorpusPackage, reviewed: ReviewedFile): void {
  writeFileSync(reviewedPath(corpusPackage), `${JSON.stringify(reviewed, null, 2)}\n`);
}

export function isVerdict(verdict: string): boolean {
  return VERDICT.test(verdict);
}

export function isTrueVerdict(verdict: string): boolean {
  return verdict.startsWith('True:');
}

/** Where a finding is: the same rule and message id at the same place is the same finding. */
function findingKey(finding: Finding): string {
  return `${finding.rule}|${finding.messageId}|${finding.file}:${finding.line}:${finding.column}`;
}

/** What a reviewed entry is about: a finding of a rule, or a conversion or refusal of a codemod. */
interface Entry {
  file: string;
  line: number;
  message: string;
  /** A conversion's changed lines: the same message with another rewrite must be read again. */
  edit?: string;
}

/** The same rewrite, or a reviewed entry from before edits were kept, which takes the current one. */
function sameEdit(reviewed: Entry, current: Entry): boolean {
  return reviewed.edit === undefined || reviewed.edit === current.edit;
}

/** Reviewed before its edit was recorded: in step once `npm run corpus` has written it. */
function editNotRecorded(reviewed: Entry, current: Entry): boolean {
  return reviewed.edit === undefined && current.edit !== undefined;
}

export interface ReviewComparison<Current extends Entry = Finding> {
  /** Reported now, and reviewed with this very message. */
  matched: (Current & { verdict: string })[];
  /** Reported now, never reviewed. */
  added: Current[];
  /** Reviewed, no longer reported: a `True:` one is a real problem the rule stopped finding. */
  vanished: (Current & { verdict: string })[];
  /** Reported at the same place with another message than the one reviewed. */
  changedMessage: { now: Current; reviewed: Current & { verdict: string } }[];
  /** Reviewed entries whose verdict is not `True: …` / `False: …` with a reason. */
  withoutVerdict: (Current & { verdict: string })[];
  /** Reviewed conversions whose edit is not recorded yet. */
  withoutEdit: Current[];
  /** The reviews were written against another version of the package. */
  versionChanged: boolean;
}

/**
 * Pairs what is reported now with what was reviewed: first the same entry with the same message
 * (two findings can stand at one place, a chain `a!.b()!` starts both at one column), then what
 * is left at the same place with another message.
 */
function pairEntries<Current extends Entry, Reviewed extends Current & { verdict: string }>(
  current: readonly Current[],
  reviewed: readonly Reviewed[],
  keyOf: (entry: Current) => string,
): { same: [Current, Reviewed][]; changed: [Current, Reviewed][]; added: Current[]; vanished: Reviewed[] } {
  const unmatched = new Set(reviewed);
  const take = (entry: Current, matches: (candidate: Reviewed) => boolean): Reviewed | undefined => {
    for (const candidate of unmatched) {
      if (keyOf(candidate) === keyOf(entry) && matches(candidate)) {
        unmatched.delete(candidate);
        return candidate;
      }
    }
    return undefined;
  };
  const same: [Current, Reviewed][] = [];
  const rest: Current[] = [];
  for (const entry of current) {
    const match = take(entry, (candidate) => candidate.message === entry.message && sameEdit(candidate, entry));
    if (match === undefined) rest.push(entry);
    else same.push([entry, match]);
  }
  const changed: [Current, Reviewed][] = [];
  const added: Current[] = [];
  for (const entry of rest) {
    const match = take(entry, () => true);
    if (match === undefined) added.push(entry);
    else changed.push([entry, match]);
  }
  return { same, changed, added, vanished: [...unmatched] };
}

function compareEntries<Current extends Entry>(
  current: readonly Current[],
  reviewed: readonly (Current & { verdict: string })[],
  keyOf: (entry: Current) => string,
  versionChanged: boolean,
): ReviewComparison<Current> {
  const pairs = pairEntries(current, reviewed, keyOf);
  const matched = pairs.same.map(([, entry]) => entry);
  return {
    withoutEdit: pairs.same.filter(([now, entry]) => editNotRecorded(entry, now)).map(([now]) => now),
    matched,
    added: pairs.added,
    vanished: pairs.vanished,
    changedMessage: pairs.changed.map(([now, entry]) => ({ now, reviewed: entry })),
    withoutVerdict: matched.filter((entry) => !isVerdict(entry.verdict)),
    versionChanged,
  };
}

/**
 * The reviewed entries that match what is reported now: verdicts kept where the entry is the
 * same, new entries added without a verdict, vanished ones dropped. An entry whose message changed
 * keeps its old verdict behind a marker, so the reviewer sees it but the check still fails until
 * someone has read it again.
 */
function updateEntries<Current extends Entry>(
  current: readonly Current[],
  reviewed: readonly (Current & { verdict: string })[],
  keyOf: (entry: Current) => string,
  sameVersion: boolean,
): (Current & { verdict: string })[] {
  const pairs = pairEntries(current, sameVersion ? reviewed : [], keyOf);
  return [
    ...pairs.same.map(([entry, reviewedEntry]) => ({ ...entry, verdict: reviewedEntry.verdict })),
    ...pairs.changed.map(([entry, reviewedEntry]) => ({
      ...entry,
      verdict:
        reviewedEntry.message === entry.message
          ? `Review again, the edit changed (read it in the diff). ${reviewedEntry.verdict}`
          : `Review again, the message changed (was: ${reviewedEntry.message}). ${reviewedEntry.verdict}`,
    })),
    ...pairs.added.map((entry) => ({ ...entry, verdict: '' })),
  ];
}

export function compareWithReviewed(findings: readonly Finding[], reviewed: ReviewedFile, version: string): ReviewComparison {
  return compareEntries(findings, reviewed.findings, findingKey, reviewed.version !== version);
}

export function isInStep(comparison: ReviewComparison<Entry>): boolean {
  return (
    !comparison.versionChanged &&
    comparison.added.length === 0 &&
    comparison.vanished.length === 0 &&
    comparison.changedMessage.length === 0 &&
    comparison.withoutVerdict.length === 0 &&
    comparison.withoutEdit.length === 0
  );
}

export function updateReviewed(findings: readonly Finding[], reviewed: ReviewedFile, version: string): ReviewedFile {
  const entries = updateEntries(findings, reviewed.findings, findingKey, reviewed.version === version);
  return { package: reviewed.package, version, findings: entries.sort(compareFindings) };
}

function describeEntries<Current extends Entry>(packageName: string, comparison: ReviewComparison<Current>, place: (entry: Current) => string): string[] {
  const lines: string[] = [];
  if (comparison.versionChanged) {
    lines.push(`${packageName}: reviewed against another version than the one installed; review every entry again`);
  }
  for (const entry of comparison.added) lines.push(`new, not reviewed: ${place(entry)}: ${entry.message}`);
  for (const entry of comparison.vanished) lines.push(`no longer reported: ${place(entry)}, reviewed as ${entry.verdict}`);
  for (const { now, reviewed } of comparison.changedMessage) {
    lines.push(
      now.message === reviewed.message
        ? `edit changed: ${place(now)}: the rewrite is not the one reviewed (read it in the diff)`
        : `message changed: ${place(now)}: now "${now.message}", reviewed "${reviewed.message}"`,
    );
  }
  for (const entry of comparison.withoutVerdict) lines.push(`no verdict (True: … / False: … with a reason): ${place(entry)}`);
  for (const entry of comparison.withoutEdit) lines.push(`edit not recorded yet (\`npm run corpus\` records it): ${place(entry)}`);
  return lines;
}

export function describeComparison(corpusPackage: CorpusPackage, comparison: ReviewComparison): string[] {
  return describeEntries(corpusPackage.name, comparison, (finding) => `${corpusPackage.name}/${finding.file}:${finding.line}:${finding.column} ${finding.rule} (${finding.messageId})`);
}

// ---------------------------------------------------------------------------------------------
// Codemods: each conversion judged "behaviour kept" or not, each refusal's reason judged true or not

export interface ReviewedRewrite extends Rewrite {
  /** A conversion: `True: behaviour kept …` / `False: …`; a refusal: `True: the reason holds …` / `False: …`. */
  verdict: string;
}

export interface ReviewedRewritesFile {
  package: string;
  codemod: CorpusCodemodName;
  version: string;
  rewrites: ReviewedRewrite[];
}

/** Several refusals can stand on one line; their message tells them apart. */
function rewriteKey(rewrite: Rewrite): string {
  return `${rewrite.kind}|${rewrite.file}:${rewrite.line}|${rewrite.message}`;
}

export function reviewedRewritesPath(corpusPackage: CorpusPackage, codemod: CorpusCodemodName): string {
  return join(repositoryRoot, 'test/third-party', `${corpusSlug(corpusPackage.name)}.${codemod}.reviewed.json`);
}

export function hasReviewedRewrites(corpusPackage: CorpusPackage, codemod: CorpusCodemodName): boolean {
  return existsSync(reviewedRewritesPath(corpusPackage, codemod));
}

export function readReviewedRewrites(corpusPackage: CorpusPackage, codemod: CorpusCodemodName): ReviewedRewritesFile {
  const path = reviewedRewritesPath(corpusPackage, codemod);
  if (!existsSync(path)) {
    return { package: corpusPackage.name, codemod, version: installedVersion(corpusPackage), rewrites: [] };
  }
  return JSON.parse(readFileSync(path, 'utf8')) as ReviewedRewritesFile;
}

export function writeReviewedRewrites(corpusPackage: CorpusPackage, reviewed: ReviewedRewritesFile): void {
  writeFileSync(reviewedRewritesPath(corpusPackage, reviewed.codemod), `${JSON.stringify(reviewed, null, 2)}\n`);
}

export function compareWithReviewedRewrites(rewrites: readonly Rewrite[], reviewed: ReviewedRewritesFile, version: string): ReviewComparison<Rewrite> {
  return compareEntries(rewrites, reviewed.rewrites, rewriteKey, reviewed.version !== version);
}

export function updateReviewedRewrites(rewrites: readonly Rewrite[], reviewed: ReviewedRewritesFile, version: string): ReviewedRewritesFile {
  const entries = updateEntries(rewrites, reviewed.rewrites, rewriteKey, reviewed.version === version);
  return { package: reviewed.package, codemod: reviewed.codemod, version, rewrites: entries.sort(compareRewrites) };
}

export function describeRewritesComparison(corpusPackage: CorpusPackage, codemod: CorpusCodemodName, comparison: ReviewComparison<Rewrite>): string[] {
  return describeEntries(corpusPackage.name, comparison, (rewrite) => `${codemod} ${rewrite.kind} at ${corpusPackage.name}/${rewrite.file}:${rewrite.line}`);
}

export interface RulePrecision {
  rule: string;
  trueFindings: number;
  falseFindings: number;
  unreviewed: number;
}

/** Each rule's precision by its own reviewed verdicts, over the given reviewed files. */
export function precisionByRule(files: readonly ReviewedFile[], ruleNames: readonly string[]): RulePrecision[] {
  return ruleNames.map((rule) => {
    const precision: RulePrecision = { rule, trueFindings: 0, falseFindings: 0, unreviewed: 0 };
    for (const entry of files.flatMap((file) => file.findings).filter((finding) => finding.rule === rule)) {
      if (!isVerdict(entry.verdict)) precision.unreviewed += 1;
      else if (isTrueVerdict(entry.verdict)) precision.trueFindings += 1;
      else precision.falseFindings += 1;
    }
    return precision;
  });
}

export function formatPrecision(precisions: readonly RulePrecision[]): string {
  const rows = precisions.map(({ rule, trueFindings, falseFindings, unreviewed }) => {
    const judged = trueFindings + falseFindings;
    const ratio = judged === 0 ? 'n/a (nothing judged)' : (trueFindings / judged).toFixed(2);
    const pending = unreviewed === 0 ? '' : `, ${unreviewed} not reviewed`;
    return `  ${rule}: precision ${ratio} (${trueFindings} true, ${falseFindings} false${pending})`;
  });
  return ['Precision by the reviewed verdicts:', ...rows].join('\n');
}
