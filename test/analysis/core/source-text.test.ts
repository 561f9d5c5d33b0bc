import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { detectStatementStyle, inStatementStyle, quoteString } from '../../../analysis/core/source-text.js';

function styleOf(text: string): ReturnType<typeof detectStatementStyle> {
  return detectStatementStyle(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true));
}

describe('detectStatementStyle', () => {
  it('reads semicolons and a two-space step from a file that uses them', () => {
    expect(styleOf("import { a } from './a.js';\nexport function f(): number {\n  const b = a;\n  return b;\n}\n")).toEqual({ quote: "'", semicolons: true, indentUnit: '  ' });
  });

  it('reads a semicolon-free, tab-indented file', () => {
    expect(styleOf("import { a } from './a.js'\nexport function f(): number {\n\tconst b = a\n\tif (b) {\n\t\treturn b\n\t}\n\treturn 0\n}\n")).toEqual({
      quote: "'",
      semicolons: false,
      indentUnit: '\t',
    });
  });

  it('takes the smallest step of a four-space file, not the one-space JSDoc continuation lines', () => {
    expect(styleOf('/**\n * Docs.\n */\nclass A {\n    m(): void {\n        run();\n    }\n}\ndeclare function run(): void;\n')).toEqual({
      quote: '"',
      semicolons: true,
      indentUnit: '    ',
    });
  });

  it('falls back to semicolons and two spaces without evidence', () => {
    expect(styleOf('')).toEqual({ quote: '"', semicolons: true, indentUnit: '  ' });
  });

  it('reads the quote most string literals use, leaving JSX attributes out', () => {
    const file = ts.createSourceFile('file.tsx', 'const a = "x";\nconst b = <div className="c" id="d" />;\nconst e = \'f\';\nconst g = \'h\';\n', ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    expect(detectStatementStyle(file).quote).toBe("'");
  });
});

describe('inStatementStyle', () => {
  it('drops the trailing semicolon only for a semicolon-free file', () => {
    expect(inStatementStyle('return x;', { quote: "'", semicolons: false, indentUnit: '\t' })).toBe('return x');
    expect(inStatementStyle('return x;', { quote: "'", semicolons: true, indentUnit: '  ' })).toBe('return x;');
  });
});

describe('quoteString', () => {
  const single = { quote: "'", semicolons: true, indentUnit: '  ' } as const;
  it("writes the file's quote, escaping what must be", () => {
    expect(quoteString('req.url is undefined', single)).toBe("'req.url is undefined'");
    expect(quoteString('a\\b\n', single)).toBe("'a\\\\b\\n'");
    expect(quoteString('say "hi" to \'x\'', single)).toBe("'say \"hi\" to \\'x\\''");
  });

  it('takes the other quote when the text holds only the file quote', () => {
    expect(quoteString("findParent('root') is null", single)).toBe('"findParent(\'root\') is null"');
    expect(quoteString('plain', { ...single, quote: '"' })).toBe('"plain"');
  });
});
