import { isTypeReference } from 'ts-api-utils';
import ts from 'typescript';

import { type DeclarationOrigin, getDeclarationOrigin, normalizeModuleName, originIsPackage } from '../core/declaration-origin.js';
import type { LearnedResource } from './learned-resources.js';

/**
 * Acquisitions whose result must be released although its type is not (or not only) disposable:
 * pool clients, sockets, streams, child processes, workers, readline interfaces, interval timers,
 * mutex releasers. Each entry says where the acquiring function is declared and how its result is
 * released, so a `release()` on a `PoolClient` counts and a `release()` on anything else does not.
 */

/** One way a resource is released. */
export type ReleaseForm =
  /** `resource.name()` */
  | { kind: 'method'; name: string }
  /** `name(resource)` or `anything.name(resource)`: `clearInterval(timer)`, `pool.releaseConnection(c)` */
  | { kind: 'function'; name: string }
  /** `resource()`: the releaser async-mutex hands out */
  | { kind: 'call-resource' }
  /** `owner.name()` where `owner` is the object the resource was acquired from: `mutex.release()` */
  | { kind: 'owner-method'; name: string }
  /** waiting for the process or stream to end: `await once(child, 'exit')`, `child.on('close', …)` */
  | { kind: 'exit-event' };

export interface KnownResource {
  /** `node:fs`, `pg`, `global`, or an absolute file path (from a `file` option entry, when given). */
  module: string;
  /** How the acquiring call is matched: `createReadStream`, `Pool#connect`, `new Worker`. */
  acquire: string;
  release: readonly ReleaseForm[];
  /** Off unless an option enables the group; `timers` is owned by the abort rule. */
  group?: 'timers';
  /** For an entry learned from the program rather than listed: what taught it. */
  learned?: LearnedResource;
}

function parseRelease(text: string): ReleaseForm {
  if (text === 'resource()') {
    return { kind: 'call-resource' };
  }
  if (text === 'exit-event') {
    return { kind: 'exit-event' };
  }
  const ownerMethod = /^owner\.([\w$]+)\(\)$/.exec(text);
  if (ownerMethod?.[1] !== undefined) {
    return { kind: 'owner-method', name: ownerMethod[1] };
  }
  const releaseFunction = /^([\w$]+)\(resource\)$/.exec(text);
  if (releaseFunction?.[1] !== undefined) {
    return { kind: 'function', name: releaseFunction[1] };
  }
  return { kind: 'method', name: text.replace(/^resource\./, '').replace(/\(\)$/, '') };
}

function known(module: string, acquire: string, release: string[], group?: 'timers'): KnownResource {
  return { module, acquire, release: release.map(parseRelease), ...(group === undefined ? {} : { group }) };
}

const streamRelease = ['close', 'destroy', 'end', 'exit-event'];
const socketRelease = ['end', 'destroy', 'destroySoon', 'resetAndDestroy'];
const childRelease = ['kill', 'exit-event'];

/**
 * The built-in table. Each entry was checked against the library's own type declarations
 * (`@types/pg`, `mysql2/promise.d.ts`, `async-mutex/lib/Mutex.d.ts`, `@types/node`).
 */
export const builtinKnownResources: readonly KnownResource[] = [
  known('pg', 'Pool#connect', ['release']),
  known('mysql2', 'Pool#getConnection', ['release', 'releaseConnection(resource)', 'destroy']),
  known('mysql2', 'PoolCluster#getConnection', ['release', 'destroy']),
  known('mysql2', 'PoolNamespace#getConnection', ['release', 'destroy']),
  known('node:net', 'createConnection', socketRelease),
  known('node:net', 'connect', socketRelease),
  known('node:net', 'new Socket', socketRelease),
  known('node:tls', 'connect', socketRelease),
  known('node:child_process', 'spawn', childRelease),
  known('node:child_process', 'fork', childRelease),
  known('node:fs', 'createReadStream', streamRelease),
  known('node:fs', 'createWriteStream', streamRelease),
  known('node:worker_threads', 'new Worker', ['terminate', 'exit-event']),
  known('node:readline', 'createInterface', ['close']),
  known('node:readline/promises', 'createInterface', ['close']),
  known('global', 'setInterval', ['clearInterval(resource)'], 'timers'),
  known('node:timers', 'setInterval', ['clearInterval(resource)'], 'timers'),
  known('async-mutex', 'Mutex#acquire', ['resource()', 'owner.release()']),
  known('async-mutex', 'MutexInterface#acquire', ['resource()', 'owner.release()']),
];

/** An `additional` option entry: where the acquiring function is declared and how its result is released. */
export interface AdditionalResourceSpecifier {
  from: 'file' | 'lib' | 'package';
  /** `openThing`, `Pool#connect` (method of a class or interface), `new Thing` (constructor). */
  name: string;
  /** For `from: 'package'`: the package, or a Node module as `node:fs`. */
  package?: string;
  /** For `from: 'file'`: a path suffix the declaring file must end with. */
  path?: string;
  /**
   * How the result is released: `close` (a method), `clearThing(resource)` (a function taking it),
   * `resource()` (calling it), `owner.unlock()` (a method of the object it came from), `exit-event`.
   */
  release: string[];
}

/** Turns `additional` option entries into table entries. */
export function toKnownResources(specifiers: readonly AdditionalResourceSpecifier[]): KnownResource[] {
  return specifiers.map((specifier) => {
    const module =
      specifier.from === 'lib'
        ? 'global'
        : specifier.from === 'file'
          ? `file:${specifier.path ?? ''}`
          : normalizeModuleName(specifier.package ?? '', false);
    return known(module, specifier.name, specifier.release);
  });
}

/** `Pool#connect`, `createReadStream`, `new Worker`: how a call's target is named in the table. */
export function getCalleeDescriptor(declaration: ts.Declaration): string | undefined {
  if (ts.isConstructorDeclaration(declaration) || ts.isConstructSignatureDeclaration(declaration)) {
    const owner = declaration.parent;
    return ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner) ? `new ${owner.name?.text ?? ''}` : undefined;
  }
  if (ts.isClassDeclaration(declaration)) {
    return `new ${declaration.name?.text ?? ''}`;
  }
  const name = ts.getNameOfDeclaration(declaration);
  if (name === undefined || !ts.isIdentifier(name)) {
    return undefined;
  }
  if (ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) {
    const owner = declaration.parent;
    if ((ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) && owner.name !== undefined) {
      return `${owner.name.text}#${name.text}`;
    }
    return undefined;
  }
  return name.text;
}

function moduleMatches(module: string, origin: DeclarationOrigin): boolean {
  if (module === 'global') {
    return origin.kind === 'global';
  }
  if (module.startsWith('file:')) {
    return origin.kind === 'file' && origin.path.endsWith(module.slice('file:'.length));
  }
  return originIsPackage(origin, module);
}

/** The table entry for the function, method or constructor `declaration`, if any. */
export function findKnownResource(
  declaration: ts.Declaration,
  table: readonly KnownResource[],
  program: ts.Program,
): KnownResource | undefined {
  const descriptor = getCalleeDescriptor(declaration);
  if (descriptor === undefined) {
    return undefined;
  }
  const candidates = table.filter((entry) => entry.acquire === descriptor);
  if (candidates.length === 0) {
    return undefined;
  }
  const origin = getDeclarationOrigin(declaration, program);
  return candidates.find((entry) => moduleMatches(entry.module, origin));
}

/**
 * Calls that take a resource into a new object and check nothing but their options, so a call
 * that type-checks does not throw: `readline.createInterface({ input: stream })` attaches
 * listeners to the stream and reads later. Between an acquisition and its `try`, they are not
 * places an exception comes from. (createInterface rejects option numbers out of range, such as a
 * negative `historySize`; that is a programming error the first run shows, not a leak path.)
 */
const infallibleWrappers: readonly { module: string; name: string }[] = [
  { module: 'node:readline', name: 'createInterface' },
  { module: 'node:readline/promises', name: 'createInterface' },
];

/** Whether the function `declaration` is one of {@link infallibleWrappers}. */
export function isInfallibleWrapper(declaration: ts.Declaration, program: ts.Program): boolean {
  const descriptor = getCalleeDescriptor(declaration);
  if (descriptor === undefined) {
    return false;
  }
  const origin = getDeclarationOrigin(declaration, program);
  return infallibleWrappers.some((entry) => entry.name === descriptor && moduleMatches(entry.module, origin));
}

/**
 * Release methods that do exactly what the type's own `[Symbol.dispose]`/`[Symbol.asyncDispose]`
 * does, so `using` can replace them (the codemod asks). Keyed by the declaring module and type.
 * `ChildProcess#kill` only counts without a signal argument: `[Symbol.dispose]` sends SIGTERM.
 */
const ownDisposalEquivalents: readonly { module: string; type: string; method: string }[] = [
  { module: 'node:fs/promises', type: 'FileHandle', method: 'close' },
  { module: 'node:child_process', type: 'ChildProcess', method: 'kill' },
  { module: 'node:net', type: 'Server', method: 'close' },
  // mysql2's promise `PoolConnection[Symbol.asyncDispose]` only calls `this.release()`.
  { module: 'mysql2', type: 'PoolConnection', method: 'release' },
];

/** Whether `owner#method` is listed as the same operation as the type's disposal. */
export function isListedOwnDisposal(ownerDeclaration: ts.Declaration, method: string, program: ts.Program): boolean {
  const owner = ownerDeclaration;
  if (!(ts.isClassLike(owner) || ts.isInterfaceDeclaration(owner)) || owner.name === undefined) {
    return false;
  }
  const origin = getDeclarationOrigin(owner, program);
  const typeName = owner.name.text;
  return ownDisposalEquivalents.some(
    (entry) => entry.type === typeName && entry.method === method && originIsPackage(origin, entry.module),
  );
}

/**
 * Methods that read a resource to its end and release it on the way out, whether the reading
 * succeeds or fails: a mongodb cursor's `toArray()` and `forEach()` close it in a `finally` of
 * their own, as its `for await` does. Keyed by the declaring module and a class the resource's
 * class is or extends.
 */
const drainingReleases: readonly { module: string; type: string; methods: readonly string[]; vendoredBy: readonly string[]; opensOnFirstRead: boolean }[] = [
  // typeorm ships a copy of mongodb's declarations in its own sources, for the same runtime cursors;
  // a copy is known by its name and the members only a mongodb cursor has together.
  { module: 'mongodb', type: 'AbstractCursor', methods: ['toArray', 'forEach'], vendoredBy: ['toArray', 'forEach', 'rewind', 'close', 'readBufferedDocuments'], opensOnFirstRead: true },
];

/**
 * The {@link drainingReleases} methods of `type`, looked up through the classes it extends, and
 * whether it holds nothing until first read (a mongodb cursor opens on the server when it is read).
 */
export function getDrainingReleases(type: ts.Type, checker: ts.TypeChecker, program: ts.Program): { methods: string[]; opensOnFirstRead: boolean } {
  const methods = new Set<string>();
  let opensOnFirstRead = false;
  const visit = (type: ts.Type, depth: number): void => {
    // `FindCursor<T>` extends `ExplainableCursor<T>`: the class itself is the reference's target.
    const current = isTypeReference(type) ? type.target : type;
    const symbol = current.getSymbol();
    const declaration = symbol?.declarations?.find(ts.isClassLike);
    if (symbol !== undefined && declaration !== undefined) {
      const origin = getDeclarationOrigin(declaration, program);
      for (const entry of drainingReleases) {
        const isCopy = origin.kind !== 'global' && entry.vendoredBy.every((member) => checker.getPropertyOfType(current, member) !== undefined);
        if (entry.type === symbol.getName() && (originIsPackage(origin, entry.module) || isCopy)) {
          entry.methods.forEach((method) => methods.add(method));
          opensOnFirstRead ||= entry.opensOnFirstRead;
        }
      }
    }
    if (depth < 8 && current.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(current)) visit(base, depth + 1);
    }
  };
  visit(type, 0);
  return { methods: [...methods], opensOnFirstRead };
}

/**
 * Calls whose result finishes by itself and reports to a callback given to the call: the
 * `ChildProcess` of `exec(command, (error, stdout) => …)` exits on its own, and the callback runs
 * when it has. Keeping the value to release it is not what such a call asks for.
 */
const completedThroughCallback: readonly { module: string; name: string }[] = [
  { module: 'node:child_process', name: 'exec' },
  { module: 'node:child_process', name: 'execFile' },
];

/** Whether `call` is one of {@link completedThroughCallback} given its callback (a function as last argument). */
export function isCompletedThroughCallback(call: ts.CallExpression | ts.NewExpression, declaration: ts.Declaration, checker: ts.TypeChecker, program: ts.Program): boolean {
  const descriptor = getCalleeDescriptor(declaration);
  const last = call.arguments?.at(-1);
  if (descriptor === undefined || last === undefined || checker.getTypeAtLocation(last).getCallSignatures().length === 0) {
    return false;
  }
  const origin = getDeclarationOrigin(declaration, program);
  return completedThroughCallback.some((entry) => entry.name === descriptor && moduleMatches(entry.module, origin));
}

/** Method names that release a disposable value when its type has them. */
export const conventionalReleaseMethods: readonly string[] = [
  'close',
  'dispose',
  'destroy',
  'release',
  'end',
  'kill',
  'terminate',
  'disconnect',
  'abort',
  'quit',
  'shutdown',
];
