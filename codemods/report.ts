import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import pc from 'picocolors';

import type { CodemodFileReport, CodemodFileStatus, CodemodRunReport } from './runner.js';
import type { CodemodFinding } from './types.js';

/** Counts by outcome; `changed` includes created files, `scanned` is every file the run looked at. */
export interface CodemodCounts {
  scanned: number;
  changed: number;
  created: number;
  unchanged: number;
  skipped: number;
  errored: number;
}

/**
 * What `--json` prints: stable, documented, and free of file contents. Paths are relative to
 * `cwd`, with `/` separators; lines are 1-based.
 */
export interface CodemodJsonReport {
  codemod: string;
  /** `true` when nothing was written (`--dry`). */
  dry: boolean;
  cwd: string;
  tsconfig: string;
  counts: CodemodCounts;
  files: { file: string; status: CodemodFileStatus; reason?: string }[];
  conversions: { file: string; line: number; reason: string }[];
  refusals: { file: string; line: number; reason: string }[];
  /** What the kept conversions need from outside the code (a runtime floor), one per problem. */
  warnings: { file: string; line: number; reason: string }[];
}

export function countFiles(report: CodemodRunReport): CodemodCounts {
  const counts: CodemodCounts = { scanned: 0, changed: 0, created: 0, unchanged: 0, skipped: 0, errored: 0 };
  for (const file of report.files) {
    if (file.status === 'created') {
      counts.created += 1;
      counts.changed += 1;
      continue;
    }
    counts.scanned += 1;
    counts[file.status] += 1;
  }
  return counts;
}

function displayPath(cwd: string, filePath: string): string {
  return relative(cwd, filePath).split('\\').join('/') || '.';
}

export function toJsonReport(report: CodemodRunReport): CodemodJsonReport {
  const finding = (item: CodemodFinding): { file: string; line: number; reason: string } => ({
    file: displayPath(report.cwd, item.filePath),
    line: item.line,
    reason: item.message,
  });
  return {
    codemod: report.codemod,
    dry: report.dry,
    cwd: report.cwd,
    tsconfig: displayPath(report.cwd, report.tsconfig),
    counts: countFiles(report),
    files: report.files.map((file) => ({
      file: displayPath(report.cwd, file.filePath),
      status: file.status,
      ...(file.reason !== undefined ? { reason: file.reason } : {}),
    })),
    conversions: report.conversions.map(finding),
    refusals: report.refusals.map(finding),
    warnings: report.warnings.map(finding),
  };
}

export interface FormatSummaryOptions {
  /** Colour the output (picocolors), for a terminal. */
  color: boolean;
}

/** The human summary: counts, then every conversion, refusal, skipped and errored file as `file:line reason`. */
export function formatSummary(report: CodemodRunReport, { color }: FormatSummaryOptions): string {
  const colors = pc.createColors(color);
  const counts = countFiles(report);
  const lines: string[] = [];
  const at = (finding: CodemodFinding): string => `${displayPath(report.cwd, finding.filePath)}:${String(finding.line)}`;

  if (report.conversions.length > 0) {
    lines.push(colors.bold('Converted:'));
    for (const conversion of report.conversions) {
      lines.push(`  ${colors.green(at(conversion))} ${conversion.message}`);
    }
  }
  if (report.refusals.length > 0) {
    lines.push(colors.bold('Refused:'));
    for (const refusal of report.refusals) {
      lines.push(`  ${colors.yellow(at(refusal))} ${refusal.message}`);
    }
  }
  if (report.warnings.length > 0) {
    lines.push(colors.bold('Warnings:'));
    for (const warning of report.warnings) {
      lines.push(`  ${colors.yellow(at(warning))} ${warning.message}`);
    }
  }
  const listFiles = (title: string, status: CodemodFileStatus, paint: (text: string) => string): void => {
    const files = report.files.filter((file) => file.status === status);
    if (files.length === 0) return;
    lines.push(colors.bold(title));
    for (const file of files) {
      lines.push(`  ${paint(displayPath(report.cwd, file.filePath))} ${file.reason ?? ''}`.trimEnd());
    }
  };
  listFiles('Skipped:', 'skipped', colors.yellow);
  listFiles('Errored:', 'errored', colors.red);

  const verb = report.dry ? 'would change' : 'changed';
  const parts = [
    `${String(counts.scanned)} scanned`,
    `${String(counts.changed)} ${verb}${counts.created > 0 ? ` (${String(counts.created)} created)` : ''}`,
    `${String(counts.unchanged)} unchanged`,
    `${String(counts.skipped)} skipped`,
    `${String(counts.errored)} errored`,
  ];
  const headline = `${report.codemod}: ${parts.join(', ')}; ${String(report.conversions.length)} converted, ${String(report.refusals.length)} refused${report.dry ? ' (dry run, nothing written)' : ''}`;
  lines.push(counts.errored > 0 ? colors.red(headline) : colors.green(headline));
  return `${lines.join('\n')}\n`;
}

function changedFiles(report: CodemodRunReport): CodemodFileReport[] {
  return report.files.filter((file) => (file.status === 'changed' || file.status === 'created') && file.newText !== undefined);
}

/** The top of the git work tree containing `directory`, or `directory` itself outside git. */
export function diffRoot(directory: string): string {
  const result = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: directory, encoding: 'utf8' });
  return result.status === 0 ? realpathSync(result.stdout.trim()) : realpathSync(directory);
}

/** `realpath` for a file that may not exist yet (a created file in a dry run): resolve what exists. */
function realPathAllowingMissing(filePath: string): string {
  if (existsSync(filePath)) return realpathSync(filePath);
  const parent = dirname(filePath);
  return parent === filePath ? filePath : join(realPathAllowingMissing(parent), basename(filePath));
}

/**
 * Unified diffs with `a/` and `b/` prefixes relative to `root` (default: the git root of the
 * run's cwd), so that `git apply` in that root accepts them.
 */
export function formatDiff(report: CodemodRunReport, root: string = diffRoot(report.cwd)): string {
  let output = '';
  for (const file of changedFiles(report)) {
    const path = relative(root, realPathAllowingMissing(file.filePath)).split('\\').join('/');
    const oldName = file.status === 'created' ? '/dev/null' : `a/${path}`;
    output += createTwoFilesPatch(oldName, `b/${path}`, file.originalText ?? '', file.newText ?? '', undefined, undefined, {
      headerOptions: FILE_HEADERS_ONLY,
    });
  }
  return output;
}

/** The new contents of every changed or created file, each after a `// <path>` header line. */
export function formatPrint(report: CodemodRunReport): string {
  return changedFiles(report)
    .map((file) => `// ${displayPath(report.cwd, file.filePath)}\n${file.newText ?? ''}${file.newText?.endsWith('\n') === false ? '\n' : ''}`)
    .join('\n');
}
