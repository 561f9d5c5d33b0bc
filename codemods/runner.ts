import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { type Project, ts } from 'ts-morph';
import type typescript from 'typescript';
import { convertPathToPattern, escapePath, glob, isDynamicPattern } from 'tinyglobby';

import { getProjectProgram, openProject } from './project.js';
import type { Codemod, CodemodFinding, CodemodResult, TextEdit } from './types.js';

export const DEFAULT_EXTENSIONS: readonly string[] = ['ts', 'tsx', 'mts', 'cts'];

/** The comment `--mark` leaves above a refused site; a later run recognises its own marks. */
export const MARK_PREFIX = '// predictable-codemod: ';

export interface RunCodemodOptions {
  /** Files, directories or globs, relative to `cwd`; default: `cwd`. */
  paths?: readonly string[];
  /** Default: the nearest `tsconfig.json` walking up from the first path (or `cwd`). */
  tsconfig?: string;
  /** Without dots; default `ts,tsx,mts,cts`. */
  extensions?: readonly string[];
  /** Globs relative to `cwd`; `node_modules` is always ignored. */
  ignorePatterns?: readonly string[];
  /** Compute everything, write nothing (and skip the git guard: nothing needs reverting). */
  dry?: boolean;
  /** Write files that have uncommitted changes or live outside a git repository. */
  force?: boolean;
  /** Leave a `// predictable-codemod: <reason>` line above each refused site. */
  mark?: boolean;
  cwd?: string;
  /** The codemod's own options, already parsed; defaults from its option specs fill the gaps. */
  options?: Record<string, unknown>;
  onProgress?: (event: CodemodProgressEvent) => void;
}

export type CodemodPhase = 'check' | 'analyse' | 'verify' | 'write';

/** Reported before a phase starts (`completed: 0`) and after each unit of work in it. */
export interface CodemodProgressEvent {
  phase: CodemodPhase;
  completed: number;
  total: number;
  filePath?: string;
}

/**
 * `changed` and `created` files were written (or would be, with `dry`); `skipped` files were left
 * alone on purpose (unparsable, uncommitted changes); `errored` files hit a codemod bug.
 */
export type CodemodFileStatus = 'changed' | 'created' | 'unchanged' | 'skipped' | 'errored';

export interface CodemodFileReport {
  filePath: string;
  status: CodemodFileStatus;
  /** Why a file was skipped, errored, or reverted by verification. */
  reason?: string;
  /** Text before the run; `undefined` for created files. */
  originalText?: string;
  /** Text after the run, for `changed` and `created` files. */
  newText?: string;
}

export interface CodemodRunReport {
  codemod: string;
  cwd: string;
  tsconfig: string;
  dry: boolean;
  /** Every target file plus every other file the codemod edited or created, sorted by path. */
  files: CodemodFileReport[];
  conversions: CodemodFinding[];
  refusals: CodemodFinding[];
  /** Project-level warnings about the kept conversions (see `CodemodResult.warnings`). */
  warnings: CodemodFinding[];
}

/** Thrown for problems with the invocation itself (no tsconfig, a path that does not exist). */
export class CodemodUsageError extends Error {
  override name = 'CodemodUsageError';
}

/**
 * Runs a codemod over files on disk: load the program, let the codemod analyse it, apply its edits
 * in memory, type-check the result, refuse to overwrite uncommitted work, write atomically.
 * One bad file never stops the run: it is reported as skipped or errored and the rest go on.
 */
export async function runCodemod(codemod: Codemod, runOptions: RunCodemodOptions = {}): Promise<CodemodRunReport> {
  const cwd = resolve(runOptions.cwd ?? process.cwd());
  const paths = runOptions.paths !== undefined && runOptions.paths.length > 0 ? runOptions.paths : ['.'];
  const dry = runOptions.dry ?? false;
  const tsconfig = runOptions.tsconfig !== undefined ? resolve(cwd, runOptions.tsconfig) : findNearestTsconfig(cwd, paths);
  if (!existsSync(tsconfig)) {
    throw new CodemodUsageError(`tsconfig not found: ${tsconfig}`);
  }

  const targetFiles = await selectTargetFiles({
    cwd,
    paths,
    extensions: runOptions.extensions ?? DEFAULT_EXTENSIONS,
    ignorePatterns: runOptions.ignorePatterns ?? [],
  });

  const project = openProject(tsconfig);
  for (const filePath of targetFiles) {
    if (project.getSourceFile(filePath) === undefined) {
      project.addSourceFileAtPath(filePath);
    }
  }

  const gitGuard = dry || runOptions.force === true ? undefined : createGitGuard();
  if (gitGuard !== undefined) {
    refuseUnrevertableTargets(gitGuard(targetFiles), cwd);
  }
  const outcome = transformProject(codemod, project, targetFiles, {
    mark: runOptions.mark ?? false,
    options: withDefaultOptions(codemod, runOptions.options ?? {}),
    ...(runOptions.onProgress !== undefined ? { onProgress: runOptions.onProgress } : {}),
    ...(gitGuard !== undefined ? { refuseToWrite: gitGuard } : {}),
  });

  if (!dry) {
    const toWrite = outcome.files.filter((file) => file.status === 'changed' || file.status === 'created');
    runOptions.onProgress?.({ phase: 'write', completed: 0, total: toWrite.length });
    let completed = 0;
    for (const file of toWrite) {
      try {
        writeFileAtomically(file.filePath, file.newText ?? '', file.status === 'changed');
      } catch (error) {
        file.status = 'errored';
        file.reason = `could not write the file: ${errorMessage(error)}`;
        delete file.newText;
      }
      completed += 1;
      runOptions.onProgress?.({ phase: 'write', completed, total: toWrite.length, filePath: file.filePath });
    }
  }

  return { codemod: codemod.name, cwd, tsconfig, dry, ...outcome };
}

/**
 * A migration starts from work git can restore, or not at all: rewriting the clean files and
 * skipping the dirty ones would leave a half-migrated tree that looks finished. Files the run
 * reaches beyond its targets (callers it updates) are still checked one by one when written.
 */
function refuseUnrevertableTargets(refused: ReadonlyMap<string, string>, cwd: string): void {
  if (refused.size === 0) {
    return;
  }
  const files = [...refused.keys()].sort();
  const shown = files.slice(0, 5).map((file) => relative(cwd, file));
  const more = files.length > 5 ? ` and ${String(files.length - 5)} more` : '';
  const outsideGit = [...refused.values()].every((reason) => reason.startsWith('it is not inside a git repository'));
  const why = outsideGit
    ? 'not inside a git repository, so the rewrite could not be reviewed or reverted'
    : 'uncommitted changes (or untracked), so the rewrite could not be told apart from them or reverted';
  throw new CodemodUsageError(
    `refusing to run: ${String(files.length)} file(s) to transform have ${outsideGit ? 'no git history' : 'uncommitted work'}: ${shown.join(', ')}${more}; they are ${why}. Commit or stash them, or pass --force`,
  );
}

function withDefaultOptions(codemod: Codemod, given: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const spec of codemod.options) {
    if (spec.default !== undefined) {
      options[spec.name] = spec.default;
    }
  }
  return { ...options, ...given };
}

// ---------------------------------------------------------------------------------------------
// Selecting files

function findNearestTsconfig(cwd: string, paths: readonly string[]): string {
  const firstPath = paths[0];
  let start = cwd;
  if (firstPath !== undefined && !isDynamicPattern(firstPath)) {
    const absolute = resolve(cwd, firstPath);
    start = existsSync(absolute) && statSync(absolute).isFile() ? dirname(absolute) : absolute;
  }
  const found = ts.findConfigFile(start, (path) => ts.sys.fileExists(path), 'tsconfig.json');
  if (found === undefined) {
    throw new CodemodUsageError(`no tsconfig.json found in ${start} or any parent directory; pass --tsconfig`);
  }
  return resolve(found);
}

const DECLARATION_FILE = /\.d\.[cm]?ts$/;

export interface SelectTargetFilesOptions {
  cwd: string;
  paths: readonly string[];
  extensions: readonly string[];
  ignorePatterns: readonly string[];
}

/** Absolute, sorted paths of the source files under `paths`; declaration files are never targets. */
export async function selectTargetFiles(selection: SelectTargetFilesOptions): Promise<string[]> {
  const extensions = selection.extensions.map((extension) => extension.replace(/^\./, '')).filter((extension) => extension.length > 0);
  const patterns: string[] = [];
  for (const path of selection.paths) {
    if (isDynamicPattern(path)) {
      patterns.push(path);
      continue;
    }
    const absolute = resolve(selection.cwd, path);
    if (!existsSync(absolute)) {
      throw new CodemodUsageError(`path does not exist: ${path}`);
    }
    const relativePath = relative(selection.cwd, absolute) || '.';
    if (statSync(absolute).isDirectory()) {
      for (const extension of extensions) {
        patterns.push(`${convertPathToPattern(relativePath)}/**/*.${extension}`);
      }
    } else {
      patterns.push(escapePath(relativePath));
    }
  }
  const found = await glob(patterns, {
    cwd: selection.cwd,
    absolute: true,
    ignore: ['**/node_modules/**', ...selection.ignorePatterns],
  });
  const hasWantedExtension = (file: string): boolean => extensions.includes(extname(file).slice(1));
  const targets = [...new Set(found.map((file) => resolve(file)))]
    .filter((file) => hasWantedExtension(file) && !DECLARATION_FILE.test(file))
    .sort();
  if (targets.length === 0) {
    // "0 scanned" would read as success; a mistyped glob or a wrong folder is a usage error.
    throw new CodemodUsageError(
      `no files to transform: ${selection.paths.join(' ')} matched no ${extensions.map((extension) => `.${extension}`).join('/')} file${selection.ignorePatterns.length > 0 ? ' outside the ignore patterns' : ''} (declaration files and node_modules are never transformed)`,
    );
  }
  return targets;
}

// ---------------------------------------------------------------------------------------------
// Transforming in memory

export interface TransformProjectOptions {
  mark: boolean;
  options: Record<string, unknown>;
  onProgress?: (event: CodemodProgressEvent) => void;
  /** Answers why a file must not be written, or `undefined` when it may be (the git guard). */
  refuseToWrite?: (filePaths: readonly string[]) => Map<string, string>;
}

export interface TransformProjectOutcome {
  files: CodemodFileReport[];
  conversions: CodemodFinding[];
  refusals: CodemodFinding[];
  warnings: CodemodFinding[];
}

/** Per file while the run is in progress; becomes a `CodemodFileReport` at the end. */
interface FileState {
  filePath: string;
  status: CodemodFileStatus;
  reason?: string;
  originalText?: string;
  /** Edits from the codemod, validated and sorted. */
  edits: TextEdit[];
  /** Full text for a file the codemod creates. */
  createdText?: string;
  /** Set once verification turned the conversions of this file into refusals. */
  reverted: boolean;
}

/**
 * Runs the codemod on a loaded project and works out, without touching the disk, what each file
 * should become: parse check, analysis, edit validation, git guard, marks, self-verification.
 * The project's source files end up holding the new texts of the files that will change.
 */
export function transformProject(
  codemod: Codemod,
  project: Project,
  targetFiles: readonly string[],
  settings: TransformProjectOptions,
): TransformProjectOutcome {
  const states = new Map<string, FileState>();
  const stateOf = (filePath: string): FileState => {
    let state = states.get(filePath);
    if (state === undefined) {
      state = { filePath, status: 'unchanged', edits: [], reverted: false };
      const sourceFile = project.getSourceFile(filePath);
      if (sourceFile !== undefined) {
        state.originalText = sourceFile.getFullText();
      }
      states.set(filePath, state);
    }
    return state;
  };

  // The parse check. The type diagnostics verification compares against are taken later, and
  // only for the files a rewrite touches (see `verify`): type-checking every target up front cost
  // as much as the rest of a run, for files that mostly stay as they are.
  const program = getProjectProgram(project);
  const parsableTargets: string[] = [];
  settings.onProgress?.({ phase: 'check', completed: 0, total: targetFiles.length });
  targetFiles.forEach((filePath, index) => {
    const state = stateOf(filePath);
    try {
      const sourceFile = program.getSourceFile(filePath);
      if (sourceFile === undefined) {
        throw new Error('the file is not part of the program');
      }
      const syntactic = program.getSyntacticDiagnostics(sourceFile);
      const firstSyntaxError = syntactic[0];
      if (firstSyntaxError !== undefined) {
        state.status = 'skipped';
        state.reason = `cannot parse it, so it is left alone: ${describeDiagnostic(firstSyntaxError)}`;
      } else {
        parsableTargets.push(filePath);
      }
    } catch (error) {
      state.status = 'errored';
      state.reason = errorMessage(error);
    }
    settings.onProgress?.({ phase: 'check', completed: index + 1, total: targetFiles.length, filePath });
  });

  settings.onProgress?.({ phase: 'analyse', completed: 0, total: parsableTargets.length });
  const { results, failures } = runIsolated(codemod, project, parsableTargets, settings.options);
  for (const [filePath, message] of failures) {
    const state = stateOf(filePath);
    state.status = 'errored';
    state.reason = `the codemod failed on this file: ${message}`;
  }
  settings.onProgress?.({ phase: 'analyse', completed: parsableTargets.length, total: parsableTargets.length });

  const conversions: CodemodFinding[] = [];
  const refusals: CodemodFinding[] = [];
  const warnings: CodemodFinding[] = [];
  const partners = new Map<string, Set<string>>();
  const neededBy = new Map<string, string[]>();
  for (const result of results) {
    for (const [filePath, users] of result.neededBy) neededBy.set(resolve(filePath), users.map((user) => resolve(user)));
    collectResult(result, project, stateOf);
    for (const group of result.revertTogether) {
      for (const filePath of group) {
        const mates = partners.get(resolve(filePath)) ?? new Set<string>();
        for (const mate of group) if (resolve(mate) !== resolve(filePath)) mates.add(resolve(mate));
        partners.set(resolve(filePath), mates);
      }
    }
    conversions.push(...result.conversions);
    refusals.push(...result.refusals);
    for (const warning of result.warnings) {
      if (!warnings.some((known) => known.filePath === warning.filePath && known.message === warning.message)) warnings.push(warning);
    }
  }
  const isActive = (state: FileState): boolean => state.status !== 'skipped' && state.status !== 'errored';

  // Marks are edits like any other: they go through the git guard and verification below.
  const marksFor = (state: FileState): TextEdit[] =>
    settings.mark ? markEdits(project, state, refusals.filter((refusal) => refusal.filePath === state.filePath)) : [];
  for (const state of states.values()) {
    if (isActive(state) && state.originalText !== undefined) {
      state.edits = mergeEdits(state.edits, marksFor(state));
    }
  }

  // A file nobody may write takes its conversions with it; verification below then reverts any
  // other file whose edits only type-check together with the ones dropped here.
  const pending = () => [...states.values()].filter((state) => isActive(state) && (state.edits.length > 0 || state.createdText !== undefined));
  const notWritten = settings.refuseToWrite?.(pending().map((state) => state.filePath)) ?? new Map<string, string>();
  // Partners of a file that is not written, or that errored, are not written either.
  const held = new Map([...notWritten].map(([filePath, reason]): [string, string] => [filePath, `is not written: ${reason}`]));
  for (const state of states.values()) {
    if (!isActive(state)) held.set(state.filePath, `${state.status === 'errored' ? 'errored' : 'was skipped'}: ${state.reason ?? ''}`);
  }
  for (const [filePath, mate, why] of findPartnersOf(held, partners)) {
    notWritten.set(mate, `it goes with the rewrite of ${relative(dirname(mate), filePath)}, which ${why}`);
  }
  for (const [filePath, reason] of notWritten) {
    const state = stateOf(filePath);
    state.status = 'skipped';
    state.reason = reason;
    state.edits = [];
    delete state.createdText;
  }

  const keptConversions: CodemodFinding[] = [];
  for (const conversion of conversions) {
    const state = states.get(conversion.filePath);
    const refusedReason = notWritten.get(conversion.filePath);
    if (refusedReason !== undefined) {
      refusals.push({ ...conversion, message: `not written: ${refusedReason} (was: ${conversion.message})` });
    } else if (state === undefined || isActive(state)) {
      keptConversions.push(conversion);
    }
  }

  const revert = (state: FileState, reason: string): void => {
    // The file goes back to its original text; what was converted there is now refused.
    state.reverted = true;
    state.reason = reason;
    for (let index = keptConversions.length - 1; index >= 0; index -= 1) {
      const conversion = keptConversions[index];
      if (conversion?.filePath === state.filePath) {
        keptConversions.splice(index, 1);
        refusals.push({ ...conversion, message: `${reason} (was: ${conversion.message})` });
      }
    }
    state.edits = [];
    state.edits = state.originalText !== undefined ? marksFor(state) : [];
    if (state.createdText !== undefined) {
      refusals.push({ filePath: state.filePath, line: 1, message: reason });
      delete state.createdText;
    }
    for (const mate of partners.get(state.filePath) ?? []) {
      const mateState = states.get(mate);
      if (mateState !== undefined && isActive(mateState) && !mateState.reverted && (mateState.edits.length > 0 || mateState.createdText !== undefined)) {
        revert(mateState, `reverted with ${relative(dirname(mate), state.filePath)}, whose rewrite it goes with: ${reason}`);
      }
    }
  };
  verify(project, [...states.values()].filter((state) => isActive(state)), settings.onProgress, revert);
  // Nothing that is kept imports what only reverted files needed, so dropping it breaks nothing.
  const isChanging = (state: FileState | undefined): boolean =>
    state !== undefined && isActive(state) && !state.reverted && (state.edits.length > 0 || state.createdText !== undefined);
  for (const [filePath, users] of neededBy) {
    const state = states.get(filePath);
    if (isChanging(state) && state !== undefined && !users.some((user) => isChanging(states.get(user)))) {
      revert(state, 'no file that needs it is changed any more');
    }
  }

  const files: CodemodFileReport[] = [];
  for (const state of [...states.values()].sort((a, b) => a.filePath.localeCompare(b.filePath))) {
    const report: CodemodFileReport = { filePath: state.filePath, status: state.status };
    if (state.reason !== undefined) report.reason = state.reason;
    if (state.originalText !== undefined) report.originalText = state.originalText;
    if (isActive(state)) {
      if (state.createdText !== undefined) {
        report.status = 'created';
        report.newText = state.createdText;
      } else if (state.originalText !== undefined && state.edits.length > 0) {
        const newText = applyEdits(state.originalText, state.edits);
        if (newText !== state.originalText) {
          report.status = 'changed';
          report.newText = newText;
        }
      }
    }
    if (report.status === 'unchanged' && report.originalText === undefined) {
      // A created file that verification dropped: nothing of it remains to report.
      continue;
    }
    files.push(report);
  }
  const byPosition = (a: CodemodFinding, b: CodemodFinding): number => a.filePath.localeCompare(b.filePath) || a.line - b.line;
  // A warning is about what the conversions need: with none kept, there is nothing to warn about.
  return { files, conversions: keptConversions.sort(byPosition), refusals: refusals.sort(byPosition), warnings: keptConversions.length > 0 ? warnings.sort(byPosition) : [] };
}

/** Each partner (transitively) of a file in `held`, with the file it goes with and that file's reason. */
function findPartnersOf(held: ReadonlyMap<string, string>, partners: ReadonlyMap<string, ReadonlySet<string>>): [string, string, string][] {
  const found: [string, string, string][] = [];
  const seen = new Set(held.keys());
  const queue = [...held.entries()];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [filePath, reason] = next;
    for (const mate of partners.get(filePath) ?? []) {
      if (seen.has(mate)) continue;
      seen.add(mate);
      found.push([filePath, mate, reason]);
      queue.push([mate, reason]);
    }
  }
  return found;
}

/**
 * Calls the codemod once for all targets; if it throws, calls it once per target so that a bug
 * triggered by one file costs only that file.
 */
function runIsolated(
  codemod: Codemod,
  project: Project,
  targetFiles: readonly string[],
  options: Record<string, unknown>,
): { results: CodemodResult[]; failures: Map<string, string> } {
  const run = (files: readonly string[]): CodemodResult => {
    const program = toTypescriptProgram(getProjectProgram(project));
    return codemod.run({ project, program, checker: program.getTypeChecker(), targetFiles: files, options });
  };
  const failures = new Map<string, string>();
  if (targetFiles.length === 0) {
    return { results: [], failures };
  }
  try {
    return { results: [run(targetFiles)], failures };
  } catch (error) {
    if (targetFiles.length === 1 && targetFiles[0] !== undefined) {
      failures.set(targetFiles[0], errorMessage(error));
      return { results: [], failures };
    }
  }
  const results: CodemodResult[] = [];
  for (const filePath of targetFiles) {
    try {
      results.push(run([filePath]));
    } catch (error) {
      failures.set(filePath, errorMessage(error));
    }
  }
  return { results, failures };
}

/** Moves one result's edits and created files into the per-file states, rejecting invalid ones. */
function collectResult(result: CodemodResult, project: Project, stateOf: (filePath: string) => FileState): void {
  for (const [filePath, edits] of result.edits) {
    const state = stateOf(resolve(filePath));
    if (state.status === 'skipped' || state.status === 'errored' || edits.length === 0) {
      continue;
    }
    if (state.originalText === undefined) {
      state.status = 'errored';
      state.reason = 'the codemod edited a file that is not part of the program';
      continue;
    }
    const problem = findInvalidEdit([...state.edits, ...edits], state.originalText.length);
    if (problem !== undefined) {
      state.status = 'errored';
      state.reason = `the codemod produced invalid edits: ${problem}`;
      state.edits = [];
      continue;
    }
    state.edits = sortEdits([...state.edits, ...edits]);
  }
  for (const [filePath, text] of result.createdFiles) {
    const absolute = resolve(filePath);
    const state = stateOf(absolute);
    if (state.originalText !== undefined || existsSync(absolute) || state.createdText !== undefined) {
      state.status = 'errored';
      state.reason = 'the codemod tried to create a file that already exists';
      delete state.createdText;
      continue;
    }
    if (project.getSourceFile(absolute) !== undefined) {
      state.status = 'errored';
      state.reason = 'the codemod tried to create a file that is already part of the program';
      continue;
    }
    state.createdText = text;
  }
}

/** Describes the first edit that is out of range or overlaps another, or `undefined` when all are valid. */
export function findInvalidEdit(edits: readonly TextEdit[], textLength: number): string | undefined {
  for (const edit of edits) {
    if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start < 0 || edit.end < edit.start || edit.end > textLength) {
      return `edit [${String(edit.start)}, ${String(edit.end)}) is outside the file (length ${String(textLength)})`;
    }
  }
  const sorted = sortEdits(edits);
  for (let index = 1; index < sorted.length; index += 1) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (previous !== undefined && current !== undefined && current.start < previous.end) {
      return `edits [${String(previous.start)}, ${String(previous.end)}) and [${String(current.start)}, ${String(current.end)}) overlap`;
    }
  }
  return undefined;
}

/** By start; at one position insertions come before replacements, otherwise the given order holds. */
function sortEdits(edits: readonly TextEdit[]): TextEdit[] {
  return [...edits].sort((a, b) => a.start - b.start || Number(a.end > a.start) - Number(b.end > b.start));
}

function mergeEdits(edits: readonly TextEdit[], insertions: readonly TextEdit[]): TextEdit[] {
  return insertions.length === 0 ? [...edits] : sortEdits([...insertions, ...edits]);
}

/** Applies valid, non-overlapping edits in one pass; bytes outside them are copied unchanged. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let output = '';
  let position = 0;
  for (const edit of sortEdits(edits)) {
    output += text.slice(position, edit.start) + edit.text;
    position = edit.end;
  }
  return output + text.slice(position);
}

// ---------------------------------------------------------------------------------------------
// Marks

/** One comment line above each refused site, unless one is there already or the line cannot take a comment. */
function markEdits(project: Project, state: FileState, refusals: readonly CodemodFinding[]): TextEdit[] {
  const sourceFile = project.getSourceFile(state.filePath)?.compilerNode;
  const text = state.originalText;
  if (sourceFile === undefined || text === undefined || refusals.length === 0) {
    return [];
  }
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStarts = sourceFile.getLineStarts();
  const marks: TextEdit[] = [];
  const marked = new Set<string>();
  for (const refusal of refusals) {
    const lineStart = lineStarts[refusal.line - 1];
    if (lineStart === undefined) continue;
    const reason = refusal.message.replace(/\s*\n\s*/g, ' ');
    const key = `${String(lineStart)}\0${reason}`;
    if (marked.has(key)) continue;
    marked.add(key);
    const lineEnd = lineStarts[refusal.line] ?? text.length;
    const indentation = /^[ \t]*/.exec(text.slice(lineStart, lineEnd))?.[0] ?? '';
    const previousLineStart = lineStarts[refusal.line - 2];
    if (previousLineStart !== undefined && text.slice(previousLineStart, lineStart).trim() === `${MARK_PREFIX}${reason}`.trim()) {
      continue;
    }
    if (state.edits.some((edit) => edit.start < lineStart && lineStart < edit.end) || !canTakeLineComment(sourceFile, lineStart)) {
      continue;
    }
    marks.push({ start: lineStart, end: lineStart, text: `${indentation}${MARK_PREFIX}${reason}${newline}` });
  }
  return marks;
}

/** A line inside a template, a string or JSX text would turn the comment into content. */
function canTakeLineComment(sourceFile: ts.SourceFile, position: number): boolean {
  let node: ts.Node = sourceFile;
  for (;;) {
    const child: ts.Node | undefined = node.forEachChild((candidate) => (candidate.pos <= position && position < candidate.end ? candidate : undefined));
    if (child === undefined) {
      return true;
    }
    if (
      ts.isTemplateLiteralToken(child) ||
      ts.isStringLiteral(child) ||
      ts.isJsxText(child) ||
      ((ts.isJsxElement(child) || ts.isJsxFragment(child)) && position > child.getStart(sourceFile))
    ) {
      // Inside JSX children only an expression container (`{...}`) may hold a comment.
      if (ts.isJsxElement(child) || ts.isJsxFragment(child)) {
        const container = child.children.find((jsxChild) => jsxChild.pos <= position && position < jsxChild.end);
        if (container !== undefined && ts.isJsxExpression(container)) {
          node = container;
          continue;
        }
      }
      return false;
    }
    node = child;
  }
}

/**
 * ts-morph bundles its own copy of the compiler (the same version line as the `typescript` package,
 * so the same objects at run time) and declares its types a second time. Codemods and the shared
 * analysis are written against `typescript`. Whether the checker sees the two declarations as one
 * depends on which files a compilation includes (a build of the codemods alone does not), so the
 * program crosses over here, through `unknown`, in one place.
 */
function toTypescriptProgram(program: ts.Program): typescript.Program {
  const sameObject: unknown = program;
  return sameObject as typescript.Program;
}

// ---------------------------------------------------------------------------------------------
// Verification

/**
 * A file's diagnostics, counted two ways. A changed file's positions move with its edits, so there
 * a diagnostic is known by its code and message. An unchanged file keeps its positions, so there it
 * is known by its code and place: its message may still change, because it quotes types from the
 * rewritten files, without the rewrite having broken anything that was not broken before.
 */
interface DiagnosticCounts {
  byMessage: Map<string, number>;
  byPlace: Map<string, number>;
  /** The message of each place, to say what broke. */
  messageAt: Map<string, string>;
}

function countDiagnostics(diagnostics: readonly ts.Diagnostic[]): DiagnosticCounts {
  const counts: DiagnosticCounts = { byMessage: new Map(), byPlace: new Map(), messageAt: new Map() };
  for (const diagnostic of diagnostics) {
    const message = `TS${String(diagnostic.code)}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    const place = `TS${String(diagnostic.code)}@${String(diagnostic.start ?? -1)}`;
    counts.byMessage.set(message, (counts.byMessage.get(message) ?? 0) + 1);
    counts.byPlace.set(place, (counts.byPlace.get(place) ?? 0) + 1);
    counts.messageAt.set(place, message);
  }
  return counts;
}

function singleDiagnostic(message: string): DiagnosticCounts {
  return { byMessage: new Map([[message, 1]]), byPlace: new Map([[message, 1]]), messageAt: new Map([[message, message]]) };
}

const noDiagnostics = (): DiagnosticCounts => countDiagnostics([]);

/** The first diagnostic of `after` that `before` does not have, compared by message (`changed`) or by place. */
function firstAddedDiagnostic(before: DiagnosticCounts, after: DiagnosticCounts, fileChanged: boolean): string | undefined {
  const [beforeCounts, afterCounts] = fileChanged ? [before.byMessage, after.byMessage] : [before.byPlace, after.byPlace];
  for (const [key, count] of afterCounts) {
    if (count > (beforeCounts.get(key) ?? 0)) {
      return fileChanged ? key : (after.messageAt.get(key) ?? key);
    }
  }
  return undefined;
}

/**
 * Puts the new texts into the project, type-checks every file that changes and every unchanged
 * file that imports one of them (directly or not), and reverts what made diagnostics worse: a
 * changed file whose own diagnostics got worse, and every changed file an unchanged importer
 * depends on when that importer got worse. The importers matter because a codemod may change a
 * signature in one file and its callers in others, and a caller can be left unchanged (the git
 * guard refused it, it is outside the given paths): writing the callee alone would break it.
 * Reverting one file can break another that relied on it, so this repeats until a round reverts
 * nothing.
 */
function verify(
  project: Project,
  states: readonly FileState[],
  onProgress: ((event: CodemodProgressEvent) => void) | undefined,
  revert: (state: FileState, reason: string) => void,
): void {
  // The program as it was, before any new text is put in. Its diagnostics of a file are taken
  // only when the rewritten file has some: a file with none after the rewrite cannot have gained
  // one, and on a project that type-checks cleanly this halves what verification checks.
  const program = getProjectProgram(project);
  const diagnosticsBefore = new Map<string, DiagnosticCounts>();
  const diagnosticsOf = (filePath: string): DiagnosticCounts => {
    let counts = diagnosticsBefore.get(filePath);
    if (counts === undefined) {
      const sourceFile = program.getSourceFile(filePath);
      counts = sourceFile === undefined ? noDiagnostics() : countDiagnostics([...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]);
      diagnosticsBefore.set(filePath, counts);
    }
    return counts;
  };
  const addedDiagnostic = (filePath: string, after: readonly ts.Diagnostic[], fileChanged: boolean): string | undefined =>
    after.length === 0 ? undefined : firstAddedDiagnostic(diagnosticsOf(filePath), countDiagnostics(after), fileChanged);

  // Unchanged files that import a changed one, each with the changed files it depends on.
  const changedPaths = states.filter((state) => state.edits.length > 0).map((state) => state.filePath);
  const importers = findUnchangedImporters(program, changedPaths);

  const revertedOnce = new Set<FileState>();
  for (;;) {
    const changing = states.filter((state) => state.edits.length > 0 || state.createdText !== undefined);
    onProgress?.({ phase: 'verify', completed: 0, total: changing.length });
    for (const state of states) {
      setProjectText(project, state);
    }
    const newProgram = getProjectProgram(project);
    const failed: [FileState, string][] = [];
    changing.forEach((state, index) => {
      const sourceFile = newProgram.getSourceFile(state.filePath);
      const added =
        sourceFile === undefined
          ? firstAddedDiagnostic(diagnosticsOf(state.filePath), singleDiagnostic('the file is not part of the program after the rewrite'), true)
          : addedDiagnostic(state.filePath, [...newProgram.getSyntacticDiagnostics(sourceFile), ...newProgram.getSemanticDiagnostics(sourceFile)], true);
      if (added !== undefined) {
        failed.push([state, added]);
      }
      onProgress?.({ phase: 'verify', completed: index + 1, total: changing.length, filePath: state.filePath });
    });
    const statesByPath = new Map(changing.map((state) => [state.filePath, state]));
    for (const [importerPath, dependencies] of importers) {
      if (statesByPath.has(importerPath)) {
        continue;
      }
      const sourceFile = newProgram.getSourceFile(importerPath);
      if (sourceFile === undefined) {
        continue;
      }
      const added = addedDiagnostic(importerPath, [...newProgram.getSyntacticDiagnostics(sourceFile), ...newProgram.getSemanticDiagnostics(sourceFile)], false);
      if (added === undefined) {
        continue;
      }
      for (const dependency of dependencies) {
        const state = statesByPath.get(dependency);
        if (state !== undefined && !failed.some(([failedState]) => failedState === state)) {
          failed.push([state, `rewrite breaks ${relative(dirname(dependency), importerPath) || importerPath}, which is not rewritten with it: ${added}`]);
        }
      }
    }
    if (failed.length === 0) {
      return;
    }
    for (const [state, problem] of failed) {
      if (revertedOnce.has(state)) {
        // Even the marks alone made it worse (should not happen with comments): keep the file as it was.
        state.edits = [];
        continue;
      }
      revertedOnce.add(state);
      revert(state, problem.startsWith('rewrite breaks ') ? problem : `rewrite added type error ${problem}`);
    }
  }
}

/**
 * Each project file that imports one of `changedPaths`, directly or through other files, and is
 * not itself among them, mapped to the changed files it depends on. Declaration files and
 * node_modules are left out: a codemod's edits never reach them.
 *
 * Built from the compiler's program rather than ts-morph's `getReferencingSourceFiles()`: that
 * turns on ts-morph's own module tracking, which then trips over nodes forgotten when a file's
 * text is replaced during verification.
 */
function findUnchangedImporters(program: ts.Program, changedPaths: readonly string[]): Map<string, Set<string>> {
  const checker = program.getTypeChecker();
  const importersOf = new Map<string, Set<string>>();
  for (const sourceFile of program.getSourceFiles()) {
    if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile) || sourceFile.fileName.includes('/node_modules/')) {
      continue;
    }
    for (const imported of getImportedFileNames(sourceFile, checker)) {
      const importers = importersOf.get(imported) ?? new Set<string>();
      importers.add(sourceFile.fileName);
      importersOf.set(imported, importers);
    }
  }

  const changed = new Set(changedPaths);
  const result = new Map<string, Set<string>>();
  for (const changedPath of changedPaths) {
    const seen = new Set([changedPath]);
    const queue = [changedPath];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const importer of importersOf.get(next) ?? []) {
        if (seen.has(importer)) {
          continue;
        }
        seen.add(importer);
        queue.push(importer);
        if (!changed.has(importer)) {
          const dependencies = result.get(importer) ?? new Set<string>();
          dependencies.add(changedPath);
          result.set(importer, dependencies);
        }
      }
    }
  }
  return result;
}

/** The files a module imports or re-exports from, as the checker resolved them. */
function getImportedFileNames(sourceFile: ts.SourceFile, checker: ts.TypeChecker): string[] {
  const fileNames: string[] = [];
  const addResolved = (specifier: ts.Expression | undefined): void => {
    if (specifier === undefined || !ts.isStringLiteralLike(specifier)) {
      return;
    }
    const declaration = checker.getSymbolAtLocation(specifier)?.valueDeclaration;
    if (declaration !== undefined && ts.isSourceFile(declaration)) {
      fileNames.push(declaration.fileName);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      addResolved(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      addResolved(node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      addResolved(node.arguments[0]);
    }
    node.forEachChild(visit);
  };
  // Static imports sit at the top level; only a file that mentions `import(` needs the full walk.
  if (sourceFile.text.includes('import(')) {
    visit(sourceFile);
  } else {
    for (const statement of sourceFile.statements) {
      visit(statement);
    }
  }
  return fileNames;
}

function setProjectText(project: Project, state: FileState): void {
  const sourceFile = project.getSourceFile(state.filePath);
  if (state.createdText !== undefined) {
    if (sourceFile === undefined) {
      project.createSourceFile(state.filePath, state.createdText);
    }
    return;
  }
  if (state.originalText === undefined) {
    if (sourceFile !== undefined) {
      project.removeSourceFile(sourceFile);
    }
    return;
  }
  const wanted = applyEdits(state.originalText, state.edits);
  if (sourceFile !== undefined && sourceFile.getFullText() !== wanted) {
    sourceFile.replaceWithText(wanted);
  }
}

function describeDiagnostic(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (diagnostic.file !== undefined && diagnostic.start !== undefined) {
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `TS${String(diagnostic.code)} at line ${String(line + 1)}: ${message}`;
  }
  return `TS${String(diagnostic.code)}: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// Git guard

/**
 * A migration must be reviewable and revertible: a file is written only when git could restore
 * it, i.e. it sits in a git work tree and has no uncommitted changes (new files need only the
 * work tree). Answers the files it refuses, with the reason.
 */
export function createGitGuard(): (filePaths: readonly string[]) => Map<string, string> {
  return (filePaths) => {
    const refused = new Map<string, string>();
    const dirtyByRoot = new Map<string, Map<string, string>>();
    for (const filePath of filePaths) {
      const directory = nearestExistingDirectory(dirname(filePath));
      const root = gitRoot(directory);
      if (root === undefined) {
        refused.set(filePath, 'it is not inside a git repository, so the rewrite could not be reviewed or reverted; pass --force to write it anyway');
        continue;
      }
      let dirty = dirtyByRoot.get(root);
      if (dirty === undefined) {
        dirty = uncommittedFiles(root);
        dirtyByRoot.set(root, dirty);
      }
      const relativePath = relative(root, join(realpathSync(directory), relative(directory, filePath))).split('\\').join('/');
      const status = dirty.get(relativePath);
      if (status !== undefined) {
        refused.set(filePath, `it has uncommitted changes (git status "${status}"); commit or stash them, or pass --force`);
      }
    }
    return refused;
  };
}

function nearestExistingDirectory(directory: string): string {
  let current = directory;
  while (!existsSync(current)) {
    current = dirname(current);
  }
  return current;
}

function gitRoot(directory: string): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: directory, encoding: 'utf8' });
  if (result.status !== 0) {
    return undefined;
  }
  return realpathSync(result.stdout.trim());
}

/** Repository-relative path to its two-letter porcelain status, for every changed or untracked file. */
function uncommittedFiles(root: string): Map<string, string> {
  const result = spawnSync('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`git status failed in ${root}: ${result.stderr.trim()}`);
  }
  const dirty = new Map<string, string>();
  const entries = result.stdout.split('\0');
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index];
    if (entry === undefined || entry.length < 4) continue;
    const status = entry.slice(0, 2);
    dirty.set(entry.slice(3), status);
    if (status.startsWith('R') || status.startsWith('C')) {
      // A rename or copy is followed by its source path.
      index += 1;
    }
  }
  return dirty;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * Writes through a temporary file in the same directory and a rename, so a reader (or a crash)
 * sees either the old text or the new one, never half of it. A byte-order mark and the file mode
 * survive.
 */
export function writeFileAtomically(filePath: string, text: string, overwrite: boolean): void {
  let content = text;
  let mode: number | undefined;
  if (overwrite) {
    const stat = statSync(filePath);
    mode = stat.mode & 0o7777;
    if (readFileSync(filePath, 'utf8').startsWith('\uFEFF') && !content.startsWith('\uFEFF')) {
      content = `\uFEFF${content}`;
    }
  } else {
    if (!isAbsolute(filePath)) throw new Error(`expected an absolute path: ${filePath}`);
    mkdirSync(dirname(filePath), { recursive: true });
  }
  const temporary = join(dirname(filePath), `.${basename(filePath)}.predictable-${String(process.pid)}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
    if (mode !== undefined) {
      // Set after writing: a mode given to writeFileSync is filtered through the umask.
      chmodSync(temporary, mode);
    }
    renameSync(temporary, filePath);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
