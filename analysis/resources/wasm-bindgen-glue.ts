import { readFileSync } from 'node:fs';

import ts from 'typescript';

/**
 * What wasm-bindgen's generated JavaScript says about a method that its declaration file does not:
 * whether it can throw, and which arguments it takes ownership of.
 *
 * A Rust method returning `Result` becomes a JavaScript method that throws the error
 * (`if (ret[2]) throw …`); one returning a plain value only calls into wasm and converts the
 * result, and cannot throw for arguments of the declared types. A Rust parameter taken by value
 * becomes `arg.__destroy_into_raw()`: the object is consumed and must not be freed again. The
 * declaration file declares both kinds of method alike, so the rule reads the glue next to it.
 */

export interface GlueMethodFacts {
  /** The method's body throws (the Rust method returns `Result`). */
  throws: boolean;
  /** Indexes of the parameters the method consumes (`param.__destroy_into_raw()`). */
  consumedParameters: readonly number[];
}

type GlueClasses = ReadonlyMap<string, ReadonlyMap<string, GlueMethodFacts>>;

/** wasm-bindgen names its glue after the declaration file: `_bg.js` for bundlers, `.js` for the web and Node targets. */
const glueSuffixes = ['_bg.js', '.js', '_bg.cjs', '.cjs', '_bg.mjs', '.mjs'];

const glueByDeclarationFile = new Map<string, GlueClasses | undefined>();

/**
 * The facts for `methodName` of the class `className` declared in `declarationFile`, or
 * `undefined` when no glue is found next to it or the glue does not define that method.
 */
export function getGlueMethodFacts(declarationFile: string, className: string, methodName: string): GlueMethodFacts | undefined {
  let glue = glueByDeclarationFile.get(declarationFile);
  if (!glueByDeclarationFile.has(declarationFile)) {
    glue = readGlue(declarationFile);
    glueByDeclarationFile.set(declarationFile, glue);
  }
  return glue?.get(className)?.get(methodName);
}

function readGlue(declarationFile: string): GlueClasses | undefined {
  if (!declarationFile.endsWith('.d.ts')) return undefined;
  const base = declarationFile.slice(0, -'.d.ts'.length);
  for (const suffix of glueSuffixes) {
    let text: string;
    try {
      text = readFileSync(base + suffix, 'utf8');
    } catch {
      continue;
    }
    // Every generated class has it; a hand-written file of the same name does not.
    if (text.includes('__wbg_ptr')) return parseGlue(base + suffix, text);
  }
  return undefined;
}

function parseGlue(fileName: string, text: string): GlueClasses {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const classes = new Map<string, Map<string, GlueMethodFacts>>();
  for (const statement of sourceFile.statements) {
    if (!ts.isClassDeclaration(statement) || statement.name === undefined) continue;
    const methods = new Map<string, GlueMethodFacts>();
    for (const member of statement.members) {
      if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name) || member.body === undefined) continue;
      methods.set(member.name.text, { throws: containsThrow(member.body), consumedParameters: getConsumedParameters(member) });
    }
    classes.set(statement.name.text, methods);
  }
  return classes;
}

function containsThrow(node: ts.Node): boolean {
  if (ts.isThrowStatement(node)) return true;
  // A nested function's `throw` runs when that function is called, not this method.
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, containsThrow) ?? false;
}

function getConsumedParameters(method: ts.MethodDeclaration): number[] {
  const consumed = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === '__destroy_into_raw' &&
      ts.isIdentifier(node.expression.expression)
    ) {
      consumed.add(node.expression.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(method, visit);
  return method.parameters.flatMap((parameter, index) => (ts.isIdentifier(parameter.name) && consumed.has(parameter.name.text) ? [index] : []));
}
