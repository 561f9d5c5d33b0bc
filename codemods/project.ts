import { Project, ts } from 'ts-morph';

/**
 * The project a codemod runs on, loaded so that its program means what `tsc -p` means.
 *
 * ts-morph parses every file with the compiler options' `target` only (ts-morph issue #1611), so
 * whether a file without `import`/`export` is a module (`moduleDetection`: `force`, the default
 * under `node16`/`nodenext`, or `auto` for `.mts`/`.cts` files) is lost: script files then share
 * one global scope and see each other's declarations, and a top-level `using` looks like one in a
 * script. Each file is put right once, before any program is built from it, because the binder
 * reads it when the first checker is created and never again for the same node.
 */
export function openProject(tsconfig: string): Project {
  return new Project({ tsConfigFilePath: tsconfig });
}

const settledFiles = new WeakSet<ts.SourceFile>();

/** The project's program, after telling every new file whether it is a module as `tsc` would. */
export function getProjectProgram(project: Project): ts.Program {
  // Not in the public API, but the one place TypeScript keeps its `moduleDetection` rules; copying
  // them would drift with every release. Without it, files stay as ts-morph parsed them.
  const setExternalModuleIndicator = (ts as unknown as InternalModuleDetection).getSetExternalModuleIndicator?.(project.getCompilerOptions());
  if (setExternalModuleIndicator !== undefined) {
    for (const sourceFile of project.getSourceFiles()) {
      const node = sourceFile.compilerNode;
      if (!settledFiles.has(node) && !node.isDeclarationFile) {
        settledFiles.add(node);
        setExternalModuleIndicator(node);
      }
    }
  }
  return project.getProgram().compilerObject;
}

interface InternalModuleDetection {
  getSetExternalModuleIndicator?: (options: ts.CompilerOptions) => (file: ts.SourceFile) => void;
}
