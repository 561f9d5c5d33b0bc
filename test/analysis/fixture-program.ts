import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The directory of the analysis fixture project. */
export const analysisFixtureDirectory = fileURLToPath(new URL('../fixtures/analysis', import.meta.url));

const cached = new Map<string, ts.Program>();

/** The fixture project as a real program, built from its tsconfig once per test file. */
export function loadAnalysisProgram(directory: string = analysisFixtureDirectory): ts.Program {
  const known = cached.get(directory);
  if (known !== undefined) {
    return known;
  }
  const configPath = `${directory}/tsconfig.json`;
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) {
    throw new Error(`cannot read ${configPath}`);
  }
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => directory, getNewLine: () => '\n' }));
  }
  cached.set(directory, program);
  return program;
}

export function getFixtureSourceFile(program: ts.Program, relativePath: string): ts.SourceFile {
  const sourceFile = program.getSourceFile(`${analysisFixtureDirectory}/${relativePath}`);
  if (sourceFile === undefined) {
    throw new Error(`${relativePath} is not part of the analysis fixture project`);
  }
  return sourceFile;
}

export interface AnnotatedAssertion {
  assertion: ts.NonNullExpression;
  /** The text of the `// …` comment that ends the assertion's line. */
  expected: string;
  /** `file.ts:line` for test names. */
  label: string;
}

/** Every `x!` of the file with the expectation written at the end of its line. */
export function getAnnotatedAssertions(sourceFile: ts.SourceFile): AnnotatedAssertion[] {
  const found: AnnotatedAssertion[] = [];
  const lines = sourceFile.text.split('\n');
  const visit = (node: ts.Node): void => {
    if (ts.isNonNullExpression(node)) {
      const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
      const comment = /\/\/ (.*)$/.exec(lines[line] ?? '');
      found.push({
        assertion: node,
        expected: comment?.[1]?.trim() ?? '(no expectation)',
        label: `${sourceFile.fileName.split('/fixtures/analysis/')[1] ?? sourceFile.fileName}:${line + 1} ${node.getText(sourceFile)}`,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}
