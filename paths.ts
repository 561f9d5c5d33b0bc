import { dirname, isAbsolute, relative, sep } from 'node:path';

/** Whether `path` is `directory` itself or lies somewhere under it (absolute paths). */
export function isAtOrUnder(path: string, directory: string): boolean {
  const fromDirectory = relative(directory, path);
  return fromDirectory === '' || (!fromDirectory.startsWith('..') && !isAbsolute(fromDirectory));
}

/** The deepest directory that holds every one of `paths` (absolute paths; the root for none). */
export function commonAncestor(paths: readonly string[]): string {
  const [first, ...rest] = paths;
  let ancestor = first ?? sep;
  while (!rest.every((path) => isAtOrUnder(path, ancestor))) {
    ancestor = dirname(ancestor);
  }
  return ancestor;
}
