import type ts from 'typescript';

/**
 * The parent of `node`, or `undefined` for a source file. TypeScript declares `parent` as always
 * present, which is true of every node except the root; walks up the tree stop at that root.
 */
export function parentOf(node: ts.Node): ts.Node | undefined {
  const parent: ts.Node | undefined = node.parent;
  return parent;
}
