import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { detectStatementStyle, inStatementStyle } from '../../../analysis/core/source-text.js';

function styleOf(text: string): ReturnType<typeof detectStatementStyle> {
  return detectStatementStyle(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true));
}

describe('detectStatementStyle', () => {
  it('reads semicolons and a two-space step from a file that uses them', () => {
    expect(styleOf("import { a } from './a.js';\nexport function f(): number {\n  const b = a;\n  return b;\n}\n")).toEqual({ semicolons: true, indentUnit: '  ' });
  });

  it('reads a semicolon-free, tab-indented file', () => {
    expect(styleOf("import { a } from './a.js'\nexport function f(): number {\n\tconst b = a\n\tif (b) {\n\t\treturn b\n\t}\n\treturn 0\n}\n")).toEqual({
      semicolons: false,
      indentUnit: '\t',
    });
  });

  it('takes the smallest step of a four-space file, not the one-space JSDoc continuation lines', () => {
    expect(styleOf('/**\n * Docs.\n */\nclass A {\n    m(): void {\n        run();\n    }\n}\ndeclare function run(): void;\n')).toEqual({
      semicolons: true,
      indentUnit: '    ',
    });
  });

  it('falls back to semicolons and two spaces without evidence', () => {
    expect(styleOf('')).toEqual({ semicolons: true, indentUnit: '  ' });
  });
});

describe('inStatementStyle', () => {
  it('drops the trailing semicolon only for a semicolon-free file', () => {
    expect(inStatementStyle('return x;', { semicolons: false, indentUnit: '\t' })).toBe('return x');
    expect(inStatementStyle('return x;', { semicolons: true, indentUnit: '  ' })).toBe('return x;');
  });
});
