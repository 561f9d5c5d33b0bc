import ts from 'typescript';

/**
 * The errors TypeScript itself reports for a tsconfig file (a missing `extends` target, an unknown
 * option, no input files), one line each. A project whose tsconfig does not load is type-checked
 * with defaults that are not the project's, so nothing a typed rule says about it can be trusted.
 */
export interface TsconfigError {
  code: number;
  message: string;
}

/** TS18003: the tsconfig matches no input file. Callers with their own file list word this better. */
export const NO_INPUTS_FOUND = 18003;

export function readTsconfigErrors(tsconfigPath: string): TsconfigError[] {
  const errors: ts.Diagnostic[] = [];
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => errors.push(diagnostic),
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigPath, undefined, host);
  errors.push(...(parsed?.errors ?? []));
  return errors
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
    .map((diagnostic) => ({ code: diagnostic.code, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ') }));
}
