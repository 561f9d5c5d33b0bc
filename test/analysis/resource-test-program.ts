import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Where the snippet pretends to live: inside the repository, so node_modules types resolve. */
const snippetFileName = fileURLToPath(new URL('resource-snippet.virtual.ts', import.meta.url));

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: ['node'],
  strict: true,
  skipLibCheck: true,
  noEmit: true,
};

/**
 * A real TypeScript program (real lib files, `@types/node`, `pg`, `async-mutex` from node_modules,
 * the real checker) whose one root file is `code`, served from memory.
 */
export function createProgramFor(code: string): { program: ts.Program; sourceFile: ts.SourceFile } {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === snippetFileName
      ? ts.createSourceFile(fileName, code, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  host.fileExists = (fileName) => fileName === snippetFileName || fileExists(fileName);
  host.readFile = (fileName) => (fileName === snippetFileName ? code : readFile(fileName));
  const program = ts.createProgram([snippetFileName], options, host);
  const sourceFile = program.getSourceFile(snippetFileName);
  if (sourceFile === undefined) {
    throw new Error('the program did not load the snippet');
  }
  return { program, sourceFile };
}

/** The first node of `kind` whose text starts with `text`. */
export function findNode<T extends ts.Node>(root: ts.Node, predicate: (node: ts.Node) => node is T, text: string): T {
  let found: T | undefined;
  const visit = (node: ts.Node): void => {
    if (found === undefined && predicate(node) && node.getText().startsWith(text)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  if (found === undefined) {
    throw new Error(`no node starting with ${text}`);
  }
  return found;
}

/** The type of the variable `name` declared in `code`, with the checker that computed it. */
export function typeOfVariable(code: string, name: string): { type: ts.Type; checker: ts.TypeChecker; node: ts.Node } {
  const { program, sourceFile } = createProgramFor(code);
  const checker = program.getTypeChecker();
  const declaration = findNode(sourceFile, ts.isVariableDeclaration, name);
  return { type: checker.getTypeAtLocation(declaration.name), checker, node: declaration.name };
}
