import ts from 'typescript';

/** Does `root`, or any node inside it (functions written in it included), satisfy `predicate`? */
export function someNode(root: ts.Node, predicate: (node: ts.Node) => boolean): boolean {
  return predicate(root) || (ts.forEachChild(root, (child) => someNode(child, predicate) || undefined) ?? false);
}
