import { dirname, join } from 'node:path';
import ts from 'typescript';

import type { Codemod, CodemodContext, CodemodResult, TextEdit } from '../../codemods/types.js';
import { createCodemodResult } from '../../codemods/types.js';

/**
 * Small real codemods that exercise the runner: each one is the simplest transform that can
 * produce the situation a test needs (a refusal, a type error, a crash, invalid edits, a new file).
 */

// A type alias, not an interface: only type literals are assignable to the registry's
// `Record<string, unknown>` options.
export type VarToLetOptions = {
  keyword: 'let' | 'const';
};

function lineOf(sourceFile: ts.SourceFile, position: number): number {
  return sourceFile.getLineAndCharacterOfPosition(position).line + 1;
}

function forEachVarList(sourceFile: ts.SourceFile, visit: (list: ts.VariableDeclarationList) => void): void {
  const walk = (node: ts.Node): void => {
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === 0) {
      visit(node);
    }
    node.forEachChild(walk);
  };
  walk(sourceFile);
}

/** `var` → `let` (or `const`), refused for loop variables, where `let` gives each iteration its own binding. */
export const varToLet: Codemod<VarToLetOptions> = {
  name: 'var-to-let',
  description: 'Replace `var` declarations with block-scoped ones.',
  options: [{ name: 'keyword', description: 'the keyword to use', type: 'string', choices: ['let', 'const'], default: 'let' }],
  run(context) {
    const result = createCodemodResult();
    for (const filePath of context.targetFiles) {
      const sourceFile = context.program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const edits: TextEdit[] = [];
      forEachVarList(sourceFile, (list) => {
        const start = list.getStart(sourceFile);
        const line = lineOf(sourceFile, start);
        const parent = list.parent;
        if (ts.isForStatement(parent) || ts.isForInStatement(parent) || ts.isForOfStatement(parent)) {
          result.refusals.push({ filePath, line, message: 'loop variable: `let` would give each iteration its own binding' });
          return;
        }
        edits.push({ start, end: start + 'var'.length, text: context.options.keyword });
        result.conversions.push({ filePath, line, message: `var → ${context.options.keyword}` });
      });
      if (edits.length > 0) result.edits.set(filePath, edits);
    }
    return result;
  },
};

/** Turns every numeric initializer into a string: fine without an annotation, a type error with `: number`. */
export const stringifyNumbers: Codemod = {
  name: 'stringify-numbers',
  description: 'Quote numeric initializers.',
  options: [],
  run(context) {
    const result = createCodemodResult();
    for (const filePath of context.targetFiles) {
      const sourceFile = context.program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const edits: TextEdit[] = [];
      const walk = (node: ts.Node): void => {
        if (ts.isVariableDeclaration(node) && node.initializer !== undefined && ts.isNumericLiteral(node.initializer)) {
          const literal = node.initializer;
          edits.push({ start: literal.getStart(sourceFile), end: literal.end, text: `'${literal.text}'` });
          result.conversions.push({ filePath, line: lineOf(sourceFile, literal.getStart(sourceFile)), message: 'quoted a number' });
        }
        node.forEachChild(walk);
      };
      walk(sourceFile);
      if (edits.length > 0) result.edits.set(filePath, edits);
    }
    return result;
  },
};

/** `var-to-let`, except that it throws as soon as it meets a file containing `// explode`. */
export const explodeOnMarker: Codemod<VarToLetOptions> = {
  name: 'explode-on-marker',
  description: 'Crash on marked files.',
  options: varToLet.options,
  run(context: CodemodContext<VarToLetOptions>): CodemodResult {
    for (const filePath of context.targetFiles) {
      if (context.program.getSourceFile(filePath)?.text.includes('// explode') === true) {
        throw new Error(`cannot handle ${filePath}`);
      }
    }
    return varToLet.run(context);
  },
};

/** `var-to-let`, plus two overlapping edits in any file containing `// overlap`. */
export const overlappingEdits: Codemod<VarToLetOptions> = {
  name: 'overlapping-edits',
  description: 'Emit overlapping edits on marked files.',
  options: varToLet.options,
  run(context) {
    const result = varToLet.run(context);
    for (const filePath of context.targetFiles) {
      if (context.program.getSourceFile(filePath)?.text.includes('// overlap') === true) {
        result.edits.set(filePath, [
          { start: 0, end: 5, text: 'a' },
          { start: 3, end: 8, text: 'b' },
        ]);
      }
    }
    return result;
  },
};

/**
 * For every target with `// use-generated`, creates `generated.ts` next to it and imports it: a
 * cross-file rewrite, as `to-error-returns` makes. `brokenModule` makes the created file fail to
 * type-check, which must revert the importer too.
 */
export function createGeneratedModule(options: { brokenModule: boolean }): Codemod {
  return {
    name: options.brokenModule ? 'create-broken-module' : 'create-module',
    description: 'Create a module and import it.',
    options: [],
    run(context) {
      const result = createCodemodResult();
      for (const filePath of context.targetFiles) {
        const sourceFile = context.program.getSourceFile(filePath);
        if (sourceFile?.text.includes('// use-generated') !== true) continue;
        const generatedPath = join(dirname(filePath), 'generated.ts');
        result.createdFiles.set(generatedPath, options.brokenModule ? 'export const generated: number = "one";\n' : 'export const generated = 1;\n');
        result.edits.set(filePath, [{ start: 0, end: 0, text: "import { generated } from './generated.js';\n" }]);
        result.conversions.push({ filePath, line: 1, message: 'imported the generated module' });
      }
      return result;
    },
  };
}

export const sampleCodemods: Record<string, Codemod> = {
  'var-to-let': varToLet,
  'stringify-numbers': stringifyNumbers,
  'explode-on-marker': explodeOnMarker,
};
