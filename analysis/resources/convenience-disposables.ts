import ts from 'typescript';

import { getDeclarationOrigin, originIsPackage } from '../core/declaration-origin.js';
import { getAwaitedType, getNonNullishConstituents, isThenable } from '../core/types.js';
import { getDisposalMembers } from './disposal.js';
import { getGlueMethodFacts, type GlueMethodFacts } from './wasm-bindgen-glue.js';

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
    parts.every((part) => isInMemoryNodeClass(part, program) || isInMemoryWasmBindgenClass(part, checker, program))
  );
}

function isInMemoryWasmBindgenClass(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): boolean {
  const declaration = getWasmBindgenDeclaration(type, checker);
  return declaration !== undefined && !isWasmBindgenIoClass(declaration, checker, program);
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
 * open until the last object that refers to it is freed. Their declarations show which: such an
 * object does I/O through what it holds, so it has an async method (`device.verify()`), is opened
 * by an async static factory (`StoreHandle.open()`), or hands out objects that do (a device list
 * whose `get()` returns devices). One that only computes on its own memory (a decoded key, a
 * parsed bundle) is reclaimed by the FinalizationRegistry with nothing lost.
 *
 * Whether the project frees a class by hand says less: matrix-js-sdk frees in-memory keys in
 * the teardown of the object that keeps them, and leaves verification objects that hold the store
 * to the finalizer.
 */
const ioClassesByProgram = new WeakMap<ts.Program, Map<ts.ClassDeclaration, boolean>>();

function isWasmBindgenIoClass(declaration: ts.ClassDeclaration, checker: ts.TypeChecker, program: ts.Program): boolean {
  let answers = ioClassesByProgram.get(program);
  if (answers === undefined) {
    answers = new Map();
    ioClassesByProgram.set(program, answers);
  }
  const known = answers.get(declaration);
  if (known !== undefined) return known;
  // Taken as memory-only while being decided, so that classes handing out each other end.
  answers.set(declaration, false);
  const doesIo = declaration.members.some((member) => memberDoesIo(member, declaration, checker, program));
  answers.set(declaration, doesIo);
  return doesIo;
}

function memberDoesIo(member: ts.ClassElement, owner: ts.ClassDeclaration, checker: ts.TypeChecker, program: ts.Program): boolean {
  if (!ts.isMethodDeclaration(member) && !ts.isGetAccessorDeclaration(member)) return false;
  const signature = checker.getSignatureFromDeclaration(member);
  if (signature === undefined) return false;
  const returned = checker.getReturnTypeOfSignature(signature);
  const isStatic = ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static;
  if (isStatic !== 0) {
    // Only a factory of the class itself says what its instances hold.
    return isThenable(returned, member, checker) && handsOut(getAwaitedType(returned, checker), checker).some((part) => getWasmBindgenDeclaration(part, checker) === owner);
  }
  if (isThenable(returned, member, checker)) return true;
  return handsOut(returned, checker).some((part) => {
    const handedOut = getWasmBindgenDeclaration(part, checker);
    return handedOut !== undefined && handedOut !== owner && isWasmBindgenIoClass(handedOut, checker, program);
  });
}

/** The object types a value of `type` gives access to: its non-nullish parts, and array elements. */
function handsOut(type: ts.Type, checker: ts.TypeChecker): ts.Type[] {
  return (getNonNullishConstituents(type) ?? []).flatMap((part) =>
    checker.isArrayType(part) || checker.isTupleType(part) ? checker.getTypeArguments(part as ts.TypeReference).flatMap((element) => getNonNullishConstituents(element) ?? []) : [part],
  );
}

/**
 * What the generated JavaScript of a wasm-bindgen method says about it (see wasm-bindgen-glue.ts),
 * for `declaration`, the method a call resolves to; `undefined` for any other callee.
 */
export function getWasmBindgenMethodFacts(declaration: ts.Declaration, checker: ts.TypeChecker): GlueMethodFacts | undefined {
  if (!ts.isMethodDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
  const owner = declaration.parent;
  if (!ts.isClassDeclaration(owner) || owner.name === undefined) return undefined;
  const classSymbol = checker.getSymbolAtLocation(owner.name);
  if (classSymbol === undefined || getWasmBindgenDeclaration(checker.getDeclaredTypeOfSymbol(classSymbol), checker) !== owner) return undefined;
  return getGlueMethodFacts(owner.getSourceFile().fileName, owner.name.text, declaration.name.text);
}
