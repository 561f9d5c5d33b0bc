import type ts from 'typescript';

/**
 * The parent of `node`, or `undefined` for a source file. TypeScript declares `parent` as always
 * present, which is true of every node except the root; walks up the tree stop at that root.
 */
export function parentOf(node: ts.Node): ts.Node | undefined {
  const parent: ts.Node | undefined = node.parent;
  return parent;
}

/** Does `node` lie within `container`'s text, in the same file? */
export function isInside(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}
