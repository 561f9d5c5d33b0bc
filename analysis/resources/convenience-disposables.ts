import ts from 'typescript';

import { getDeclarationOrigin, originIsPackage } from '../core/declaration-origin.js';
import { getNonNullishConstituents } from '../core/types.js';
import { getDisposalMembers } from './disposal.js';

/**
 * A resource holds something outside the JavaScript heap that only an explicit release gives
 * back: a file descriptor, a socket, a process, a pooled connection, a lock, a native handle.
 * Some types declare `[Symbol.dispose]` / `[Symbol.asyncDispose]` although they hold nothing of
 * the kind, for convenience; leaving one of them to the garbage collector leaks nothing. This file
 * answers "is this disposable type one of those", for every part of a union.
 *
 * On real code these were most of the rule's false reports: `@types/node` makes every stream
 * async-disposable, so a `createHash()` or a `PassThrough` built in memory was "never released";
 * wasm-bindgen gives every generated class `[Symbol.dispose]`, although a FinalizationRegistry frees
 * its memory when the object is collected.
 */

/**
 * Node modules whose classes are built in memory: the generic stream classes themselves
 * (`Readable.from()`, `new PassThrough()`), hashes, ciphers, signers, and compression streams.
 * A class that extends one of them in another module keeps counting: `net.Socket` and
 * `fs.ReadStream` are streams backed by a descriptor, `http.IncomingMessage` by a connection.
 */
const inMemoryNodeModules = ['node:stream', 'node:crypto', 'node:zlib'];

export function isConvenienceDisposable(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  const parts = getNonNullishConstituents(type);
  return (
    parts !== undefined &&
    parts.length > 0 &&
    parts.every((part) => isInMemoryNodeClass(part, program) || (isWasmBindgenClass(part, checker) && !getClassesTheProjectFrees(program).has(part.getSymbol())))
  );
}

function getClassDeclarations(type: ts.Type): ts.Declaration[] {
  return (type.getSymbol()?.getDeclarations() ?? []).filter((declaration) => ts.isClassLike(declaration) || ts.isInterfaceDeclaration(declaration));
}

function isInMemoryNodeClass(type: ts.Type, program: ts.Program): boolean {
  const declarations = getClassDeclarations(type);
  return (
    declarations.length > 0 &&
    declarations.every((declaration) => {
      const origin = getDeclarationOrigin(declaration, program);
      return inMemoryNodeModules.some((module) => originIsPackage(origin, module));
    })
  );
}

/**
 * wasm-bindgen declares every exported Rust type as a class with `free(): void` and
 * `[Symbol.dispose](): void` side by side in a declaration file, and registers each instance with a
 * FinalizationRegistry that calls `free` when it is collected.
 */
function isWasmBindgenClass(type: ts.Type, checker: ts.TypeChecker): boolean {
  return getWasmBindgenDeclaration(type, checker) !== undefined;
}

function getWasmBindgenDeclaration(type: ts.Type, checker: ts.TypeChecker): ts.ClassDeclaration | undefined {
  // A project may merge an interface into a generated class (matrix-js-sdk augments several): the class is what counts.
  const classes = getClassDeclarations(type).filter((declaration) => ts.isClassDeclaration(declaration));
  const [declaration] = classes;
  if (classes.length !== 1 || declaration === undefined || !declaration.getSourceFile().isDeclarationFile) return undefined;
  const declaresOwnFree = declaration.members.some(
    (member) => ts.isMethodDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === FREE && member.parameters.length === 0,
  );
  const disposalIsOwn = getDisposalMembers(type, checker).some((member) => (member.getDeclarations() ?? []).some((disposal) => disposal.parent === declaration));
  return declaresOwnFree && disposalIsOwn ? declaration : undefined;
}

const FREE = 'free';

/**
 * wasm-bindgen's generated code sets `prototype[Symbol.dispose]` to `prototype.free`, so `free()`
 * releases exactly what `using` would: the one release method every generated class has.
 */
export function getWasmBindgenReleaseMethod(type: ts.Type, checker: ts.TypeChecker): string | undefined {
  const parts = getNonNullishConstituents(type);
  return parts !== undefined && parts.length > 0 && parts.every((part) => isWasmBindgenClass(part, checker)) ? FREE : undefined;
}

/**
 * Some wasm-bindgen objects do hold more than memory: a handle on an IndexedDB-backed store, kept
 * open until the last object that refers to it is freed. Types do not say which; the project does,
 * by freeing them by hand (`device.free()` in a `finally`). A generated class the project frees
 * anywhere is a resource everywhere in it, like any other disposable type.
 */
const classesFreedByProgram = new WeakMap<ts.Program, Set<ts.Symbol | undefined>>();

function getClassesTheProjectFrees(program: ts.Program): Set<ts.Symbol | undefined> {
  let freed = classesFreedByProgram.get(program);
  if (freed !== undefined) return freed;
  freed = new Set();
  const checker = program.getTypeChecker();
  for (const sourceFile of program.getSourceFiles()) {
    // A cheap text test first: most files of a program never call `free()`.
    if (sourceFile.isDeclarationFile || program.isSourceFileFromExternalLibrary(sourceFile) || !sourceFile.text.includes(`.${FREE}(`)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.arguments.length === 0 && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === FREE) {
        for (const part of getNonNullishConstituents(checker.getTypeAtLocation(node.expression.expression)) ?? []) {
          if (getWasmBindgenDeclaration(part, checker) !== undefined) freed.add(part.getSymbol());
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  classesFreedByProgram.set(program, freed);
  return freed;
}
