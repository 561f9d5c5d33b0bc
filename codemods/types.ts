import type { Project } from 'ts-morph';
import type ts from 'typescript';

import type { TextEdit } from '../analysis/core/text-edit.js';

export type { TextEdit };

/**
 * The contract between a codemod and the runner that drives it.
 *
 * A codemod analyses the whole program first and answers with plain text edits; it never
 * manipulates the ts-morph tree, because every manipulation re-parses the file and throws the
 * checker's work away. The runner applies the edits once per file, writes atomically, type-checks
 * the result against the diagnostics the file had before, and reverts whatever got worse.
 */

/** A place the codemod changed or refused, for the report; `line` is 1-based. */
export interface CodemodFinding {
  filePath: string;
  line: number;
  /** What was done, or why nothing was done: one sentence a reviewer can act on. */
  message: string;
}

export interface CodemodContext<Options> {
  /** The ts-morph project loaded from the tsconfig; read it, do not manipulate it. */
  project: Project;
  /**
   * The project's compiler program, typed as the `typescript` package declares it: the shared
   * analysis is written against that package, and ts-morph's bundled copy of the same compiler
   * declares the same objects a second time.
   */
  program: ts.Program;
  checker: ts.TypeChecker;
  /** Absolute paths of the files the user asked for; edits to other files are allowed when the transform needs them (callers of a changed function). */
  targetFiles: readonly string[];
  options: Options;
}

export interface CodemodResult {
  /** Absolute file path to the edits for that file. */
  edits: Map<string, TextEdit[]>;
  /** Absolute file path to the full text of a file the codemod creates. */
  createdFiles: Map<string, string>;
  conversions: CodemodFinding[];
  refusals: CodemodFinding[];
  /**
   * What the conversions need from outside the code (a runtime floor the package does not
   * promise): reported with them, and dropped when verification keeps none.
   */
  warnings: CodemodFinding[];
  /**
   * Files whose edits are one change: a function whose signature changed and the files of the
   * callers updated for it. When verification reverts one of them, or the git guard holds one
   * back, the others are reverted too, so that no caller keeps a check for an error its callee can
   * no longer return.
   */
  revertTogether: string[][];
  /**
   * A created file (or an edited one) that only the listed files need, such as the module of a new
   * error class: when verification or the git guard leaves none of them changed, it is dropped too.
   */
  neededBy: Map<string, string[]>;
}

/** One option of a codemod, declared so the CLI can parse, validate and document it. */
export interface CodemodOptionSpec {
  /** The flag without dashes, e.g. `style`. */
  name: string;
  description: string;
  /** `boolean` options are flags; `string` options take a value, limited to `choices` when given. */
  type: 'boolean' | 'string';
  choices?: readonly string[];
  default?: boolean | string;
}

export interface Codemod<Options = Record<string, unknown>> {
  name: string;
  description: string;
  options: readonly CodemodOptionSpec[];
  run(context: CodemodContext<Options>): CodemodResult;
}

/** An empty result to start from. */
export function createCodemodResult(): CodemodResult {
  return { edits: new Map(), createdFiles: new Map(), conversions: [], refusals: [], warnings: [], revertTogether: [], neededBy: new Map() };
}
