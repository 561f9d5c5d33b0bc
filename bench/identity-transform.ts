import type { API, FileInfo } from 'jscodeshift';

// The least a jscodeshift transform does: parse each file and print it back unchanged. The
// codemod benchmark measures `predictable codemod` against the jscodeshift CLI running this.
export default function identity(file: FileInfo, api: API): string {
  return api.jscodeshift(file.source).toSource();
}

export const parser = 'ts';
