/**
 * The programmatic API, published as `eslint-plugin-predictable/codemods`.
 *
 * ```ts
 * import { codemods, runCodemod, formatSummary } from 'eslint-plugin-predictable/codemods';
 * const report = await runCodemod(codemods['to-using'], { paths: ['src'], dry: true });
 * ```
 */
import toUsing from './to-using.js';
import toErrorReturns from './to-error-returns.js';
import type { Codemod } from './types.js';

/**
 * Every codemod the CLI and the jscodeshift transforms know, by name. A codemod lives in
 * `codemods/<name>.ts`, default-exports its `Codemod`, and is added here with one import and one
 * line; the key must equal its `name`. Declare the options as a type alias (not an interface) so
 * that `Codemod<Options>` fits this record.
 */
export const codemods: Readonly<Record<string, Codemod>> = {
  'to-error-returns': toErrorReturns,
  'to-using': toUsing,
};

export { runCodemod, transformProject, selectTargetFiles, applyEdits, findInvalidEdit, createGitGuard, writeFileAtomically, CodemodUsageError, DEFAULT_EXTENSIONS, MARK_PREFIX } from './runner.js';
export type {
  RunCodemodOptions,
  CodemodRunReport,
  CodemodFileReport,
  CodemodFileStatus,
  CodemodPhase,
  CodemodProgressEvent,
  SelectTargetFilesOptions,
  TransformProjectOptions,
  TransformProjectOutcome,
} from './runner.js';
export { countFiles, formatDiff, formatPrint, formatSummary, toJsonReport } from './report.js';
export type { CodemodCounts, CodemodJsonReport, FormatSummaryOptions } from './report.js';
export { createJscodeshiftTransform } from './jscodeshift.js';
export type { JscodeshiftTransform } from './jscodeshift.js';
export { createCodemodResult } from './types.js';
export type { Codemod, CodemodContext, CodemodFinding, CodemodOptionSpec, CodemodResult, TextEdit } from './types.js';
