import { dirname, resolve } from 'node:path';
import { type Project, ts } from 'ts-morph';

import { openProject } from './project.js';
import { transformProject } from './runner.js';
import type { Codemod } from './types.js';

/** What jscodeshift passes a transform; declared here so the published types need no jscodeshift. */
export interface JscodeshiftFileInfo {
  path: string;
  source: string;
}

export interface JscodeshiftApi {
  /** Prints a message for this file (jscodeshift shows them with `--verbose=2`). */
  report?: (message: string) => void;
}

/**
 * Returns the new source; the source as given when the codemod found nothing to change (jscodeshift
 * counts it as unmodified); `undefined` when the file was left alone on purpose (counted as skipped).
 */
export type JscodeshiftTransform = (fileInfo: JscodeshiftFileInfo, api: JscodeshiftApi, options: Record<string, unknown>) => string | undefined;

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Wraps a codemod as a jscodeshift transform: the file gets the same analysis, verification and
 * marks as under `predictable codemod`, with types from the nearest tsconfig of the file (or the
 * `--tsconfig=<file>` option). Projects are cached per tsconfig for the life of the jscodeshift
 * worker, and kept in step with the texts this transform returns.
 *
 * jscodeshift transforms one file at a time, so a rewrite that must also change other files
 * (callers of a changed signature, a created module) is refused here and reported instead.
 */
export function createJscodeshiftTransform(codemod: Codemod): JscodeshiftTransform {
  const projects = new Map<string, Project>();
  const reportedWarnings = new Set<string>();

  return (fileInfo, api, options) => {
    const filePath = resolve(fileInfo.path);
    const tsconfig = typeof options.tsconfig === 'string' ? resolve(options.tsconfig) : findTsconfig(filePath);
    let project = projects.get(tsconfig);
    if (project === undefined) {
      project = openProject(tsconfig);
      projects.set(tsconfig, project);
    }
    const hasByteOrderMark = fileInfo.source.startsWith(BYTE_ORDER_MARK);
    const source = hasByteOrderMark ? fileInfo.source.slice(1) : fileInfo.source;
    const sourceFile = project.getSourceFile(filePath) ?? project.createSourceFile(filePath, source);
    if (sourceFile.getFullText() !== source) {
      sourceFile.replaceWithText(source);
    }

    const codemodOptions: Record<string, unknown> = {};
    for (const spec of codemod.options) {
      const value = options[spec.name] ?? spec.default;
      if (value !== undefined) codemodOptions[spec.name] = value;
    }
    const outcome = transformProject(codemod, project, [filePath], { mark: options.mark === true, options: codemodOptions });

    const report = (line: number, message: string): void => api.report?.(`${String(line)}: ${message}`);
    const file = outcome.files.find((candidate) => candidate.filePath === filePath);
    const elsewhere = outcome.files.filter((candidate) => candidate.filePath !== filePath && (candidate.status === 'changed' || candidate.status === 'created'));
    if (elsewhere.length > 0) {
      restoreOriginalTexts(project, outcome.files);
      api.report?.(
        `not changed: the rewrite also needs ${elsewhere.map((other) => other.filePath).join(', ')}, which a jscodeshift transform cannot write; run \`predictable codemod ${codemod.name}\` instead`,
      );
      return fileInfo.source;
    }
    for (const refusal of outcome.refusals) {
      if (refusal.filePath === filePath) report(refusal.line, refusal.message);
    }
    for (const warning of outcome.warnings) {
      // Once per worker: it is about the package, not the file.
      if (!reportedWarnings.has(warning.message)) api.report?.(`warning: ${warning.message}`);
      reportedWarnings.add(warning.message);
    }
    if (file === undefined || file.status === 'skipped') {
      if (file?.reason !== undefined) api.report?.(`skipped: ${file.reason}`);
      return undefined;
    }
    if (file.status === 'errored') {
      throw new Error(file.reason ?? 'the codemod failed on this file');
    }
    if (file.status !== 'changed' || file.newText === undefined) {
      return fileInfo.source;
    }
    for (const conversion of outcome.conversions) {
      if (conversion.filePath === filePath) report(conversion.line, conversion.message);
    }
    return hasByteOrderMark ? `${BYTE_ORDER_MARK}${file.newText}` : file.newText;
  };
}

function findTsconfig(filePath: string): string {
  const found = ts.findConfigFile(dirname(filePath), (path) => ts.sys.fileExists(path), 'tsconfig.json');
  if (found === undefined) {
    throw new Error(`no tsconfig.json found for ${filePath}; pass --tsconfig=<file>`);
  }
  return resolve(found);
}

function restoreOriginalTexts(project: Project, files: readonly { filePath: string; status: string; originalText?: string }[]): void {
  for (const file of files) {
    const sourceFile = project.getSourceFile(file.filePath);
    if (sourceFile === undefined) continue;
    if (file.originalText === undefined) {
      project.removeSourceFile(sourceFile);
    } else if (sourceFile.getFullText() !== file.originalText) {
      sourceFile.replaceWithText(file.originalText);
    }
  }
}
