import rule from '../../rules/no-undisposed-resources.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

// Every must-flag case has a must-not-flag neighbour that differs in one detail: the same code
// with the release in a `finally`, with `using`, with the option off, with the callee releasing.
createTypedRuleTester().run('no-undisposed-resources', rule, {
  valid: [
    {
      name: "await using",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  return (await fh.stat()).size;
}`,
    },
    {
      name: 'a mongodb cursor read to its end by toArray(), which closes it also when it fails',
      code: `import type { Collection, Document } from 'mongodb';
export async function firstFive(collection: Collection<Document>) {
  const cursor = collection.find({ active: true });
  cursor.limit(5);
  return await cursor.toArray();
}`,
    },
    {
      name: 'a mongodb cursor that can throw while configured, before anything reads it: it holds nothing yet',
      code: `import type { Collection, Document } from 'mongodb';
declare function projection(fields: string[]): Document;
export async function names(collection: Collection<Document>, fields: string[]) {
  const cursor = collection.find({ active: true });
  cursor.project(projection(fields));
  return await cursor.toArray();
}`,
    },
    {
      name: 'a mongodb cursor handed to a helper that only configures it: still unopened when the next call throws',
      code: `import type { Document, FindCursor } from 'mongodb';
import type { Collection } from 'mongodb';
declare function projection(fields: string[]): Document;
function onlyActive(cursor: FindCursor<Document>, field: string): void {
  cursor.filter({ [field]: { $eq: true } }).limit(100);
}
export async function names(collection: Collection<Document>, fields: string[]) {
  const cursor = collection.find({});
  onlyActive(cursor, 'active');
  cursor.project(projection(fields));
  return await cursor.toArray();
}`,
    },
    {
      name: 'released only on success, but its class only sets a flag when released: nothing is held',
      code: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

class StatelessRunner implements Runner {
  private isReleased = false;
  async query(sql: string) { return sql; }
  release(): Promise<void> {
    this.isReleased = true;
    return Promise.resolve();
  }
  async [Symbol.asyncDispose]() { await this.release(); }
}
export async function version(create: () => StatelessRunner) {
  const runner = create();
  const version = await runner.query('select version()');
  await runner.release();
  return version;
}`,
    },
    {
      name: 'released only on success; the release acts only on a protected field that no class of the chain ever sets',
      code: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

abstract class BaseRunner {
  protected connection: { release(): void } | undefined;
  abstract query(sql: string): Promise<string>;
}
class DataApiRunner extends BaseRunner implements Runner {
  private isReleased = false;
  async query(sql: string) { return sql; }
  release(): Promise<void> {
    this.isReleased = true;
    if (this.connection) this.connection.release();
    return Promise.resolve();
  }
  async [Symbol.asyncDispose]() { await this.release(); }
}
export async function version(create: () => DataApiRunner) {
  const runner = create();
  const version = await runner.query('select version()');
  await runner.release();
  return version;
}`,
    },
    {
      name: 'never released, declared as a class whose release and disposal are empty',
      code: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

class SharedRunner implements Runner {
  async query(sql: string) { return sql; }
  async release(): Promise<void> {
    // the one shared connection is never released
  }
  async [Symbol.asyncDispose](): Promise<void> {}
}
export async function build(create: () => Runner) {
  const runner = create() as SharedRunner;
  await runner.query('create index');
}`,
    },
    {
      name: 'a lent client used when present, else one acquired here and released in finally only when acquired',
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Journal {
  constructor(private readonly client?: FileHandle) {}
  async run() {
    const client = this.client ?? (await open('journal.log', 'a'));
    try {
      await client.write('started\\n');
    } finally {
      if (!this.client) await client.close();
    }
  }
}`,
    },
    {
      name: 'a mongodb cursor released by toArray() at the end of a chain of its own methods',
      code: `import type { Collection, Document } from 'mongodb';
export async function firstOne(collection: Collection<Document>) {
  const cursor = collection.find({ active: true });
  const [first] = await cursor.limit(1).toArray();
  return first;
}`,
    },
    {
      name: 'exec with a callback: the process exits by itself and reports to the callback',
      code: `import { exec } from 'node:child_process';
export function version(): Promise<string> {
  return new Promise((resolve, reject) => {
    exec('npm --version', (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}`,
    },
    {
      name: "released in a finally unless it is the one a property holds (borrowed from its owner)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Reader {
  constructor(private readonly shared?: FileHandle) {}
  private async obtain(path: string): Promise<FileHandle> {
    return this.shared ?? (await open(path));
  }
  async size(path: string) {
    const fh = await this.obtain(path);
    try {
      return (await fh.stat()).size;
    } finally {
      if (fh !== this.shared) await fh.close();
    }
  }
}`,
    },
    {
      name: "released in a finally",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  const fh = await open(path);
  try {
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}`,
    },
    {
      name: "FileHandle | undefined acquired in the try, fh?.close() in the finally",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path);
    return (await fh.stat()).size;
  } finally {
    await fh?.close();
  }
}`,
    },
    {
      name: "presence check in the finally",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path);
    return (await fh.stat()).size;
  } finally {
    if (fh !== undefined) {
      await fh.close();
    }
  }
}`,
    },
    {
      name: "possibly missing resource checked before the try",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  const fh = await maybeOpen(path);
  if (!fh) {
    return 0;
  }
  try {
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}`,
    },
    {
      name: "returned to the caller",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function openLog(path: string) {
  const fh = await open(path, 'a');
  await fh.appendFile('opened\\n');
  return fh;
}`,
    },
    {
      name: "assigned to a field",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Log {
  private fh: FileHandle | undefined;
  async start(path: string) {
    this.fh = await open(path, 'a');
  }
}`,
    },
    {
      name: "class field initialiser: the instance owns it",
      code: `import { createReadStream } from 'node:fs';
export class Reader {
  readonly stream = createReadStream('/dev/null');
}`,
    },
    {
      name: "stored in a collection",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function openAll(paths: string[], handles: FileHandle[]) {
  for (const path of paths) {
    const fh = await open(path);
    handles.push(fh);
  }
}`,
    },
    {
      name: "captured by an escaping closure",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function statLater(path: string) {
  const fh = await open(path);
  return () => fh.stat();
}`,
    },
    {
      name: "passed to a callee that releases it (transfer, seen in its source)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
async function transcode(fh: FileHandle) {
  try {
    await fh.read();
  } finally {
    await fh.close();
  }
}
export async function run(path: string) {
  const fh = await open(path);
  await transcode(fh);
}`,
    },
    {
      name: "passed to a call listed in takesOwnership",
      options: [{"takesOwnership":["consume"]}],
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function consume(fh: FileHandle): Promise<void>;
export async function run(path: string) {
  const fh = await open(path);
  await consume(fh);
}`,
    },
    {
      name: "handed to a DisposableStack that is disposed",
      code: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  using stack = new DisposableStack();
  const held = lease();
  stack.use(held);
}`,
    },
    {
      name: "released in both try and catch",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  const fh = await open(path);
  try {
    const stats = await fh.stat();
    await fh.close();
    return stats.size;
  } catch (error) {
    await fh.close();
    throw error;
  }
}`,
    },
    {
      name: "loop: released in the same iteration",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function sizes(paths: string[]) {
  let total = 0;
  for (const path of paths) {
    const fh = await open(path);
    try {
      total += (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  }
  return total;
}`,
    },
    {
      name: "labelled continue through a finally",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function firstLines(paths: string[], skip: string[]) {
  outer: for (const path of paths) {
    const fh = await open(path);
    try {
      for (const name of skip) {
        if (path.endsWith(name)) {
          continue outer;
        }
      }
      await fh.read();
    } finally {
      await fh.close();
    }
  }
}`,
    },
    {
      name: "nested try/catch inside the releasing finally",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function report(error: unknown): void;
export async function size(path: string) {
  const fh = await open(path);
  try {
    try {
      return (await fh.stat()).size;
    } catch (error) {
      report(error);
      return 0;
    }
  } finally {
    await fh.close();
  }
}`,
    },
    {
      name: "pg: release() in a finally",
      code: `import type { Pool } from 'pg';
export async function count(pool: Pool) {
  const client = await pool.connect();
  try {
    return await client.query('select count(*) from jobs');
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "async-mutex: the releaser called in a finally",
      code: `import type { Mutex } from 'async-mutex';
export async function exclusive(mutex: Mutex, work: () => Promise<void>) {
  const release = await mutex.acquire();
  try {
    await work();
  } finally {
    release();
  }
}`,
    },
    {
      name: "async-mutex: mutex.release() in a finally",
      code: `import type { Mutex } from 'async-mutex';
export async function exclusive(mutex: Mutex, work: () => Promise<void>) {
  await mutex.acquire();
  try {
    await work();
  } finally {
    mutex.release();
  }
}`,
    },
    {
      name: "using: the promise is awaited before the scope ends",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  return await fh.stat();
}`,
    },
    {
      name: "a method returning an existing field is not an acquisition",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Handles {
  constructor(private readonly fh: FileHandle) {}
  current(): FileHandle {
    return this.fh;
  }
}
export function peek(handles: Handles) {
  const fh = handles.current();
  return fh.fd;
}`,
    },
    {
      name: "a method returning this is not an acquisition",
      code: `declare class Client implements AsyncDisposable {
  connect(): Promise<this>;
  [Symbol.asyncDispose](): Promise<void>;
}
export async function start(client: Client) {
  await client.connect();
}`,
    },
    {
      name: "module top level lives as long as the process (default)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
const log = await open('/tmp/app.log', 'a');
await log.appendFile('started\\n');`,
    },
    {
      name: "ignore option",
      options: [{"ignore":[{"from":"package","package":"node:fs/promises","name":"FileHandle"}]}],
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  const fh = await open(path);
  return (await fh.stat()).size;
}`,
    },
    {
      name: "ignore a project's own type with typescript-eslint's file specifier",
      options: [{"ignore":[{"from":"file","name":"Lease"}]}],
      code: `class Lease implements Disposable {
  [Symbol.dispose]() {}
  renew() {}
}
declare function lease(): Lease;
export function work() {
  const held = lease();
  held.renew();
}`,
    },
    {
      name: "ignore also matches a value that may be missing",
      options: [{"ignore":[{"from":"package","package":"node:fs/promises","name":"FileHandle"}]}],
      code: `import type { FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  const fh = await maybeOpen(path);
  return (await fh?.stat())?.size;
}`,
    },
    {
      name: "standard functions defined for every argument do not throw between acquisition and release",
      code: `import { open } from 'node:fs/promises';
export async function hasDescriptor(path: string) {
  const handle = await open(path);
  const known = Boolean(handle.fd) && Number.isInteger(handle.fd);
  await handle.close();
  return known;
}`,
    },
    {
      name: "a release through a const holding Symbol.dispose",
      code: `import { spawn } from 'node:child_process';
const dispose = Symbol.dispose;
export function run(command: string) {
  const child = spawn(command);
  try {
    child.stdout?.resume();
  } finally {
    child[dispose]();
  }
}`,
    },
    {
      name: "released before the variable is assigned again",
      code: `import { open } from 'node:fs/promises';
export async function rotate(path: string, next: string) {
  let handle = await open(path);
  await handle.close();
  handle = await open(next);
  await handle.close();
}`,
    },
    {
      name: "a conditional reassignment after releasing the first value, then using",
      code: `import { spawn } from 'node:child_process';
export function run(command: string, fallback: string, useFallback: boolean) {
  let child = spawn(command);
  if (useFallback) {
    child.kill();
    child = spawn(fallback);
  }
  using running = child;
  running.stdout?.resume();
}`,
    },
    {
      name: "||= does not assign while the variable holds the resource",
      code: `import { spawn, type ChildProcess } from 'node:child_process';
export function run(command: string, fallback: string) {
  let child: ChildProcess | undefined = spawn(command);
  child ||= spawn(fallback);
  using running = child;
  running.stdout?.resume();
}`,
    },
    {
      name: "assigned an awaited promise that may resolve with the same value",
      code: `import { connect, type Socket } from 'node:net';
export async function open(port: number) {
  let socket: Socket = connect(port);
  const connected = new Promise<Socket>((resolve) => socket.once('connect', () => resolve(socket)));
  socket = await connected;
  return socket;
}`,
    },
    {
      name: "a method the disposal calls with other arguments still releases",
      code: `class Session {
  async ping(): Promise<void> {}
  async endSession(options: { force?: boolean } = {}): Promise<void> {
    await Promise.resolve(options.force);
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.endSession({ force: true });
  }
}
export async function run() {
  const session = new Session();
  try {
    await session.ping();
  } finally {
    await session.endSession();
  }
}`,
    },
    {
      name: "a temporary handed to a callee that releases it",
      code: `import { open, type FileHandle } from 'node:fs/promises';
async function finish(handle: FileHandle) {
  await handle.stat();
  await handle.close();
}
export async function touch(path: string) {
  await finish(await open(path, 'a'));
}`,
    },
    {
      name: "a temporary handed to a callee known only by its declaration (a known miss)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function inspect(handle: FileHandle): Promise<void>;
export async function touch(path: string) {
  await inspect(await open(path, 'a'));
}`,
    },
    {
      name: "a temporary released by its own method call",
      code: `import { open } from 'node:fs/promises';
export async function touch(path: string) {
  await (await open(path, 'a')).close();
}`,
    },
    {
      name: "timers are off by default",
      code: `export function tick(callback: () => void) {
  const timer = setInterval(callback, 1000);
  return timer.hasRef();
}`,
    },
    {
      name: "iterators are not resources",
      code: `export function sum(values: Map<string, number>) {
  const entries = values.values();
  let total = 0;
  for (const value of entries) {
    total += value;
  }
  return total;
}`,
    },
    {
      name: "a server that is listened on",
      code: `import { createServer } from 'node:net';
export function serve(port: number) {
  const server = createServer();
  server.listen(port);
}`,
    },
    {
      name: "streams handed to pipeline",
      code: `import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
export async function copy(from: string, to: string) {
  const source = createReadStream(from);
  const target = createWriteStream(to);
  await pipeline(source, target);
}`,
    },
    {
      name: "release delegated to an event handler",
      code: `import { spawn } from 'node:child_process';
import { open, type FileHandle } from 'node:fs/promises';
export async function record(path: string) {
  const fh = await open(path, 'w');
  const child = spawn('ffmpeg', ['-i', path]);
  child.on('exit', () => {
    void fh.close();
  });
  await once(child, 'exit');
}
declare function once(emitter: unknown, event: string): Promise<unknown[]>;`,
    },
    {
      name: "sync disposable declared with using",
      code: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  using held = lease();
  held.release;
}`,
    },
    {
      name: "additional resource released in a finally",
      options: [{"additional":[{"from":"file","name":"openThing","release":["shut"]}]}],
      code: `declare class Thing { read(): Promise<string>; shut(): void; }
declare function openThing(): Thing;
export async function read() {
  const thing = openThing();
  try {
    return await thing.read();
  } finally {
    thing.shut();
  }
}`,
    },
    {
      name: "factory that configures and returns (no explicit throw)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function openWithHeader(path: string) {
  const fh = await open(path, 'w');
  await fh.write('header\\n');
  return fh;
}`,
    },
    {
      name: "released on every branch of a switch",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function finish(path: string, mode: 'keep' | 'drop') {
  const fh = await open(path);
  switch (mode) {
    case 'keep':
      await fh.close();
      break;
    default:
      await fh.close();
  }
}`,
    },
    {
      name: "handed to a callee that waits for its exit, awaited",
      code: `import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
declare function sleep(ms: number): Promise<void>;
async function exited(child: ChildProcess) {
  await once(child, 'close');
}
export async function transcode(input: string) {
  const encoder = spawn('ffmpeg', ['-i', input]);
  await exited(encoder);
}`,
    },
    // What holds only heap memory is not a resource, though its type is disposable (docs: the resource model).
    {
      name: "a crypto Hash built in memory, updated and digested",
      code: `import { createHash } from 'node:crypto';
export function checksum(buffer: Buffer) {
  const hash = createHash('sha256');
  hash.update(buffer);
  return hash.digest('hex');
}`,
    },
    {
      name: "a PassThrough built in memory, never ended",
      code: `import { PassThrough } from 'node:stream';
export function roundTrip(text: string) {
  const part = new PassThrough();
  part.write(text);
  return part.read() as Buffer | null;
}`,
    },
    {
      name: "a fluent registration that returns its receiver's type, discarded",
      code: `import { Socket } from 'node:net';
interface Router extends AsyncDisposable {
  get(path: string, handler: () => void): Router;
}
export function routes(router: Router) {
  router.get('/health', () => {});
}`,
    },
    {
      name: "a wasm-bindgen object with no async method: a FinalizationRegistry reclaims its memory",
      code: `import { KeyBundle } from 'wasm-store';
export function roundTrip(text: string) {
  const bundle = KeyBundle.fromBase64(text);
  return bundle.toBase64();
}`,
    },
    {
      name: "a wasm-bindgen object that does I/O, freed in a finally",
      code: `import type { Machine } from 'wasm-store';
export async function verify(machine: Machine) {
  const device = (await machine.getDevice('a'))!;
  try {
    return await device.verify();
  } finally {
    device.free();
  }
}`,
    },
    {
      name: "a wasm-bindgen object that only computes on its memory, left to the finalizer, though the program frees it elsewhere",
      code: `import { SecretBundle, type Machine } from './wasm-glue/crypto.js';
export class Keeper {
  constructor(private readonly bundle: SecretBundle) {}
  free() {
    this.bundle.free();
  }
}
export function keyCount(json: unknown) {
  const bundle = SecretBundle.fromJson(json);
  return bundle.keyCount;
}
export async function exported(machine: Machine) {
  const bundle = await machine.exportBundle();
  const json = bundle.toJson();
  bundle.free();
  return json;
}`,
    },
    {
      name: "a wasm-bindgen method whose generated code cannot throw, between acquisition and free()",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function isVerified(machine: Machine, id: string) {
  const identity = await machine.getIdentity(id);
  if (identity === undefined) return false;
  const verified = identity.isVerified();
  identity.free();
  return verified;
}`,
    },
    {
      name: "a wasm-bindgen method that takes the object by value consumes it",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function handOver(from: Machine, to: Machine, id: string) {
  const identity = await from.getIdentity(id);
  if (identity !== undefined) to.adopt(identity);
}`,
    },
    {
      name: "a type test every value of the resource passes: the other branch holds some other value",
      code: `import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
declare function isStream(value: unknown): value is { pipe: Readable['pipe'] };
const parts: unknown[] = [];
function upload(body: unknown) {
  parts.push(body);
}
export function send(source: string | Buffer | Readable, fromDisk: boolean) {
  let body = source;
  if (fromDisk && typeof source === 'string') {
    body = createReadStream(source);
  }
  if (isStream(body) || Buffer.isBuffer(body)) {
    upload(body);
  }
}`,
    },
    {
      name: "readline.createInterface over the stream before the try: it checks only its options",
      code: `import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
export async function firstLine(path: string, signal: AbortSignal) {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity, signal });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
}`,
    },
  ],
  invalid: [
    {
      name: 'a mongodb cursor read once and never closed',
      code: `import type { Collection, Document } from 'mongodb';
export async function first(collection: Collection<Document>) {
  const cursor = collection.find({ active: true });
  return await cursor.next();
}`,
      errors: [{ messageId: 'neverReleased', line: 3, suggestions: [{ messageId: 'suggestUsing', output: `import type { Collection, Document } from 'mongodb';
export async function first(collection: Collection<Document>) {
  await using cursor = collection.find({ active: true });
  return await cursor.next();
}` }] }],
    },
    {
      name: 'a mongodb cursor read once, then something throws before it is read to its end',
      code: `import type { Collection, Document } from 'mongodb';
declare function check(document: Document | null): void;
export async function rest(collection: Collection<Document>) {
  const cursor = collection.find({ active: true });
  check(await cursor.next());
  return await cursor.toArray();
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 4 }],
    },
    {
      name: 'a mongodb cursor handed to a helper that reads from it, then something throws before it is read to its end',
      code: `import type { Document, FindCursor } from 'mongodb';
import type { Collection } from 'mongodb';
declare function projection(fields: string[]): Document;
async function skipHeader(cursor: FindCursor<Document>): Promise<void> {
  cursor.limit(100);
  await cursor.next();
}
export async function names(collection: Collection<Document>, fields: string[]) {
  const cursor = collection.find({});
  await skipHeader(cursor);
  cursor.project(projection(fields));
  return await cursor.toArray();
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 9 }],
    },
    {
      name: 'a mongodb cursor handed to a helper that keeps it in a closure: it may be read at any time',
      code: `import type { Document, FindCursor } from 'mongodb';
import type { Collection } from 'mongodb';
declare function projection(fields: string[]): Document;
declare function later(run: () => void): void;
function peekLater(cursor: FindCursor<Document>): void {
  later(() => void cursor.hasNext());
}
export async function names(collection: Collection<Document>, fields: string[]) {
  const cursor = collection.find({});
  peekLater(cursor);
  cursor.project(projection(fields));
  return await cursor.toArray();
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 9 }],
    },
    {
      name: 'released only on success, and its release gives back a connection the class takes',
      code: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

declare const pool: { get(): { release(): void } };
class PooledRunner implements Runner {
  private connection: { release(): void } | undefined;
  async query(sql: string) {
    this.connection ??= pool.get();
    return sql;
  }
  release(): Promise<void> {
    if (this.connection) this.connection.release();
    return Promise.resolve();
  }
  async [Symbol.asyncDispose]() { await this.release(); }
}
export async function version(create: () => PooledRunner) {
  const runner = create();
  const version = await runner.query('select version()');
  await runner.release();
  return version;
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 21, suggestions: [{ messageId: 'suggestUsing', output: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

declare const pool: { get(): { release(): void } };
class PooledRunner implements Runner {
  private connection: { release(): void } | undefined;
  async query(sql: string) {
    this.connection ??= pool.get();
    return sql;
  }
  release(): Promise<void> {
    if (this.connection) this.connection.release();
    return Promise.resolve();
  }
  async [Symbol.asyncDispose]() { await this.release(); }
}
export async function version(create: () => PooledRunner) {
  await using runner = create();
  const version = await runner.query('select version()');
  return version;
}` }] }],
    },
    {
      name: 'never released, declared by an interface whose implementations may hold a connection',
      code: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function build(create: () => Runner) {
  const runner = create();
  await runner.query('create index');
}`,
      errors: [{ messageId: 'neverReleased', line: 8, suggestions: [{ messageId: 'suggestUsing', output: `interface Runner {
  query(sql: string): Promise<string>;
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function build(create: () => Runner) {
  await using runner = create();
  await runner.query('create index');
}` }] }],
    },
    {
      name: 'a lent client used when present, else one acquired here and released only when every step succeeded',
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Journal {
  constructor(private readonly client?: FileHandle) {}
  async run() {
    const client = this.client ?? (await open('journal.log', 'a'));
    await client.write('started\\n');
    if (this.client === undefined) await client.close();
  }
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 5, suggestions: [] }],
    },
    {
      name: 'a lent client used when present, else one acquired here and never released',
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Journal {
  constructor(private readonly client?: FileHandle) {}
  async run() {
    const client = this.client || (await open('journal.log', 'a'));
    await client.write('started\\n');
  }
}`,
      errors: [{ messageId: 'neverReleased', line: 5, suggestions: [] }],
    },
    {
      name: 'exec without a callback, thrown away',
      code: `import { exec } from 'node:child_process';
export function start(): void {
  exec('npm start');
}`,
      errors: [{ messageId: 'discarded', line: 3 }],
    },
    {
      name: 'released in a finally unless it is the same as a local variable: that is not a borrowed value',
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string, spare: FileHandle | undefined, obtain: (path: string) => Promise<FileHandle>) {
  const fh = await obtain(path);
  try {
    return (await fh.stat()).size;
  } finally {
    if (fh !== spare) await fh.close();
  }
}`,
      errors: [{ messageId: 'releasedInSomeBranches', line: 3 }],
    },
    {
      name: "acquisitions into one variable that share one release: one report, naming every acquisition",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function firstBytes(primary: string, fallback: string | undefined) {
  let handle: FileHandle;
  if (fallback === undefined) {
    handle = await open(primary);
  } else {
    handle = await open(fallback);
  }
  const { bytesRead } = await handle.read();
  await handle.close();
  return bytesRead;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          data: {
            name: 'handle',
            type: 'FileHandle',
            acquirer: 'open()',
            line: '5, and again on line 7',
            throwLine: '9',
            remedy: 'declare it with `await using` or release it in a `finally` block',
            evidence: '',
          },
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "acquisitions into two variables: a report each",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function firstBytes(primary: string, fallback: string) {
  let first: FileHandle;
  let second: FileHandle;
  first = await open(primary);
  second = await open(fallback);
  const { bytesRead } = await first.read();
  await second.read();
  await first.close();
  await second.close();
  return bytesRead;
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 5, column: 3, endLine: 5, endColumn: 8, suggestions: [] }, { messageId: 'releasedOnlyOnSuccess', line: 6, column: 3, endLine: 6, endColumn: 9, suggestions: [] }],
    },
    {
      name: "a wasm-bindgen object that does I/O, never freed, though the program frees none of its class",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function isVerified(machine: Machine, id: string) {
  const identity = await machine.getIdentity(id);
  return identity?.isVerified() ?? false;
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 17, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from './wasm-glue/crypto.js';
export async function isVerified(machine: Machine, id: string) {
  using identity = await machine.getIdentity(id);
  return identity?.isVerified() ?? false;
}` }] }],
    },
    {
      name: "a wasm-bindgen object that hands out objects doing I/O, never freed",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function deviceIds(machine: Machine, id: string) {
  const devices = await machine.getDevices(id);
  return devices.ids();
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 16, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from './wasm-glue/crypto.js';
export async function deviceIds(machine: Machine, id: string) {
  using devices = await machine.getDevices(id);
  return devices.ids();
}` }] }],
    },
    {
      name: "a wasm-bindgen object opened by an async factory of its class, never freed",
      code: `import { Store } from './wasm-glue/crypto.js';
export async function storeName() {
  const store = await Store.open(null);
  return store.name;
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 14, suggestions: [{ messageId: 'suggestUsing', output: `import { Store } from './wasm-glue/crypto.js';
export async function storeName() {
  using store = await Store.open(null);
  return store.name;
}` }] }],
    },
    {
      name: "a wasm-bindgen method whose generated code throws, between acquisition and free()",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function toJson(machine: Machine, id: string) {
  const identity = await machine.getIdentity(id);
  if (identity === undefined) return undefined;
  const json = identity.toJson();
  identity.free();
  return json;
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 3, column: 9, endLine: 3, endColumn: 17, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from './wasm-glue/crypto.js';
export async function toJson(machine: Machine, id: string) {
  using identity = await machine.getIdentity(id);
  if (identity === undefined) return undefined;
  const json = identity.toJson();
  return json;
}` }] }],
    },
    {
      name: "a wasm-bindgen method that only borrows the object does not consume it",
      code: `import type { Machine } from './wasm-glue/crypto.js';
export async function describe(from: Machine, id: string) {
  const identity = await from.getIdentity(id);
  return identity === undefined ? '' : from.describe(identity);
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 17, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from './wasm-glue/crypto.js';
export async function describe(from: Machine, id: string) {
  using identity = await from.getIdentity(id);
  return identity === undefined ? '' : from.describe(identity);
}` }] }],
    },
    {
      name: "a type test the resource does not always pass: the other branch holds it",
      code: `import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
const parts: unknown[] = [];
function upload(body: unknown) {
  parts.push(body);
}
export function send(source: string | Buffer | Readable, fromDisk: boolean) {
  let body = source;
  if (fromDisk && typeof source === 'string') {
    body = createReadStream(source);
  }
  if (Buffer.isBuffer(body)) {
    upload(body);
  }
}`,
      errors: [{ messageId: 'releasedInSomeBranches', line: 10, column: 5, endLine: 10, endColumn: 9, suggestions: [] }],
    },
    {
      name: "a call of the program's own over the stream before the try may throw",
      code: `import { createReadStream, type ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
declare function track(stream: ReadStream): void;
export async function firstLine(path: string) {
  const stream = createReadStream(path, { encoding: 'utf8' });
  track(stream);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
}`,
      errors: [{ messageId: 'acquireTryGap', line: 6, column: 3, endLine: 6, endColumn: 16, suggestions: [] }],
    },
    {
      name: "a call of the program's own between acquisition and release may throw",
      code: `import { open } from 'node:fs/promises';
declare function describe(descriptor: number): boolean;
export async function hasDescriptor(path: string) {
  const handle = await open(path);
  const known = Boolean(handle.fd) && describe(handle.fd);
  await handle.close();
  return known;
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 4, column: 9, endLine: 4, endColumn: 15, suggestions: [{ messageId: 'suggestUsing', output: `import { open } from 'node:fs/promises';
declare function describe(descriptor: number): boolean;
export async function hasDescriptor(path: string) {
  await using handle = await open(path);
  const known = Boolean(handle.fd) && describe(handle.fd);
  return known;
}` }] }],
    },
    {
      name: "a bodiless declare function in a .ts file borrows, as one in a .d.ts does",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function inspect(handle: FileHandle): void;
export async function check(path: string) {
  const handle = await open(path);
  inspect(handle);
}`,
      errors: [{ messageId: 'neverReleased', line: 4, column: 9, endLine: 4, endColumn: 15, suggestions: [{ messageId: 'suggestUsing', output: `import { open, type FileHandle } from 'node:fs/promises';
declare function inspect(handle: FileHandle): void;
export async function check(path: string) {
  await using handle = await open(path);
  inspect(handle);
}` }] }],
    },
    {
      name: "spreading a resource copies its properties: the resource itself is still not released",
      code: `import { open } from 'node:fs/promises';
declare function report(snapshot: object): void;
export async function describeHandle(path: string) {
  const handle = await open(path);
  const snapshot = { ...handle };
  report(snapshot);
}`,
      errors: [{ messageId: 'neverReleased', line: 4, column: 9, endLine: 4, endColumn: 15, suggestions: [{ messageId: 'suggestUsing', output: `import { open } from 'node:fs/promises';
declare function report(snapshot: object): void;
export async function describeHandle(path: string) {
  await using handle = await open(path);
  const snapshot = { ...handle };
  report(snapshot);
}` }] }],
    },
    {
      name: "overwriting a held resource: the first one leaks",
      code: `import { open } from 'node:fs/promises';
export async function rotate(path: string, next: string) {
  let handle = await open(path);
  handle = await open(next);
  await handle.close();
}`,
      errors: [{ messageId: 'overwritten', line: 4, column: 3, endLine: 4, endColumn: 28 }],
    },
    {
      name: "a conditional overwrite before using: the first one leaks when the branch runs",
      code: `import { spawn } from 'node:child_process';
export function run(command: string, fallback: string, useFallback: boolean) {
  let child = spawn(command);
  if (useFallback) child = spawn(fallback);
  using running = child;
  running.stdout?.resume();
}`,
      errors: [{ messageId: 'overwritten', line: 4, column: 20, endLine: 4, endColumn: 43 }],
    },
    {
      name: "&&= assigns while the variable holds the resource",
      code: `import { spawn, type ChildProcess } from 'node:child_process';
export function run(command: string, fallback: string) {
  let child: ChildProcess | undefined = spawn(command);
  child &&= spawn(fallback);
  using running = child;
  running.stdout?.resume();
}`,
      errors: [{ messageId: 'overwritten', line: 4, column: 3, endLine: 4, endColumn: 28 }],
    },
    {
      name: "a temporary handed to a callee that only borrows it",
      code: `import { open, type FileHandle } from 'node:fs/promises';
async function inspect(handle: FileHandle) {
  await handle.stat();
}
export async function touch(path: string) {
  await inspect(await open(path, 'a'));
}`,
      errors: [{ messageId: 'borrowedTemporary', line: 6, column: 17, endLine: 6, endColumn: 38, data: { type: 'FileHandle', acquirer: 'open()', callee: 'inspect()', evidence: '' } }],
    },
    {
      name: "thrown away after reading a property",
      code: `import { open } from 'node:fs/promises';
export async function descriptor(path: string) {
  return (await open(path)).fd;
}`,
      errors: [{ messageId: 'discarded', line: 3, column: 11, endLine: 3, endColumn: 27 }],
    },
    {
      name: "thrown away on the left of a comma",
      code: `import { spawn } from 'node:child_process';
export function start(command: string) {
  return (spawn(command), true);
}`,
      errors: [{ messageId: 'discarded', line: 3, column: 11, endLine: 3, endColumn: 25 }],
    },
    {
      name: "thrown away on the left of &&",
      code: `import { spawn } from 'node:child_process';
export function start(command: string, ready: boolean) {
  return spawn(command) && ready;
}`,
      errors: [{ messageId: 'discarded', line: 3, column: 10, endLine: 3, endColumn: 24 }],
    },
    {
      name: "a symbol that only looks like dispose is no release",
      code: `import { spawn } from 'node:child_process';
const dispose = Symbol('dispose');
export function run(command: string) {
  const child = spawn(command);
  try {
    child.stdout?.resume();
  } finally {
    (child as unknown as Record<symbol, () => void>)[dispose]?.();
  }
}`,
      errors: [{ messageId: 'neverReleased', line: 4, column: 9, endLine: 4, endColumn: 14, suggestions: [{ messageId: 'suggestUsing', output: `import { spawn } from 'node:child_process';
const dispose = Symbol('dispose');
export function run(command: string) {
  using child = spawn(command);
  try {
    child.stdout?.resume();
  } finally {
    (child as unknown as Record<symbol, () => void>)[dispose]?.();
  }
}` }] }],
    },
    {
      name: "a project's own disposable type is a resource unless ignored",
      code: `class Lease implements Disposable {
  [Symbol.dispose]() { console.info('lease returned'); }
  renew() {}
}
declare function lease(): Lease;
export function work() {
  const held = lease();
  held.renew();
}`,
      errors: [{ messageId: 'neverReleased', line: 7, column: 9, endLine: 7, endColumn: 13, suggestions: [{ messageId: 'suggestUsing', output: `class Lease implements Disposable {
  [Symbol.dispose]() { console.info('lease returned'); }
  renew() {}
}
declare function lease(): Lease;
export function work() {
  using held = lease();
  held.renew();
}` }] }],
    },
    {
      name: "a file handle that may be missing is a resource unless ignored",
      code: `import type { FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  const fh = await maybeOpen(path);
  return (await fh?.stat())?.size;
}`,
      errors: [{ messageId: 'neverReleased', line: 4, column: 9, endLine: 4, endColumn: 11, suggestions: [{ messageId: 'suggestUsing', output: `import type { FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  await using fh = await maybeOpen(path);
  return (await fh?.stat())?.size;
}` }] }],
    },
    {
      name: "a file stream (backed by a descriptor, unlike a Hash) never closed",
      code: `import { createWriteStream } from 'node:fs';
export function log(path: string, line: string) {
  const out = createWriteStream(path);
  out.write(line);
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 12, suggestions: [] }],
    },
    {
      name: "a discarded call that returns another disposable type than its receiver's",
      code: `interface Router {
  open(path: string): AsyncDisposable;
}
export function routes(router: Router) {
  router.open('/health');
}`,
      errors: [{ messageId: 'discarded', line: 5, column: 3, endLine: 5, endColumn: 25, suggestions: [] }],
    },
    {
      name: "a wasm-bindgen object that does I/O, never freed here",
      code: `import type { Machine } from 'wasm-store';
export async function verify(machine: Machine) {
  const device = (await machine.getDevice('a'))!;
  return await device.verify();
}
export async function verifyAndFree(machine: Machine) {
  const device = (await machine.getDevice('b'))!;
  try {
    return await device.verify();
  } finally {
    device.free();
  }
}`,
      errors: [{ messageId: 'neverReleased', line: 3, column: 9, endLine: 3, endColumn: 15, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from 'wasm-store';
export async function verify(machine: Machine) {
  using device = (await machine.getDevice('a'))!;
  return await device.verify();
}
export async function verifyAndFree(machine: Machine) {
  const device = (await machine.getDevice('b'))!;
  try {
    return await device.verify();
  } finally {
    device.free();
  }
}` }] }],
    },
    {
      name: "a call that takes a part of the value, between acquisition and release, may throw",
      code: `import type { Machine } from 'wasm-store';
export async function describe(machine: Machine) {
  const device = (await machine.getDevice('a'))!;
  const name: unknown = JSON.parse(device.toString());
  device.free();
  return name;
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 3, column: 9, endLine: 3, endColumn: 15, suggestions: [{ messageId: 'suggestUsing', output: `import type { Machine } from 'wasm-store';
export async function describe(machine: Machine) {
  using device = (await machine.getDevice('a'))!;
  const name: unknown = JSON.parse(device.toString());
  return name;
}` }] }],
    },
    {
      name: "never released",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  const fh = await open(path);
  return (await fh.stat()).size;
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  return (await fh.stat()).size;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "released only on success (trailing release dropped by the suggestion)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  const fh = await open(path);
  const stats = await fh.stat();
  await fh.close();
  return stats.size;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  const stats = await fh.stat();
  return stats.size;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "the acquire→try gap",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  const fh = await open(path);
  await validate(path);
  try {
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'acquireTryGap',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  await using fh = await open(path);
  await validate(path);
  return (await fh.stat()).size;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "the acquire→try gap, with code after the try (the suggestion wraps a block, so the release stays before it)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  const fh = await open(path);
  await validate(path);
  try {
    await fh.stat();
  } finally {
    await fh.close();
  }
  console.log('closed');
  return path;
}`,
      errors: [
        {
          messageId: 'acquireTryGap',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  {
    await using fh = await open(path);
    await validate(path);
    await fh.stat();
  }
  console.log('closed');
  return path;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "the acquire→try gap, with a catch clause (kept, the finally goes)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  const fh = await open(path);
  await validate(path);
  try {
    await fh.stat();
  } catch (error) {
    console.error(error);
  } finally {
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'acquireTryGap',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 23,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  await using fh = await open(path);
  await validate(path);
  try {
    await fh.stat();
  } catch (error) {
    console.error(error);
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "the acquire→try gap, with other work in the finally after the release (no suggestion: using would release after it)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  const fh = await open(path);
  await validate(path);
  try {
    await fh.stat();
  } finally {
    await fh.close();
    console.log('closed');
  }
}`,
      errors: [
        {
          messageId: 'acquireTryGap',
          line: 5,
          column: 3,
          endLine: 5,
          endColumn: 23,
          suggestions: [],
        },
      ],
    },
    {
      name: "two resources released in one finally (the suggestion converts both, as to-using does)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function copy(from: string, to: string) {
  const target = await open(to, 'w');
  const source = await open(from);
  try {
    await target.write(await source.readFile());
  } finally {
    await source.close();
    await target.close();
  }
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 15,
          suggestions: [
            {
              messageId: 'suggestUsing',
              data: { name: 'target', keyword: 'await using', others: ', `source` with `await using`', dropped: ' and drop the manual releases' },
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function copy(from: string, to: string) {
  await using target = await open(to, 'w');
  await using source = await open(from);
  await target.write(await source.readFile());
}`,
            },
          ],
        },
      ],
    },
    {
      name: "released only on success, then a return that calls (no suggestion: the call would move before the release)",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function summarize(size: number): string;
export async function size(path: string) {
  const fh = await open(path);
  const stats = await fh.stat();
  await fh.close();
  return summarize(stats.size);
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "missed on an early return",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function header(path: string, skip: boolean) {
  const fh = await open(path);
  if (skip) {
    return;
  }
  await fh.close();
}`,
      errors: [
        {
          messageId: 'missedOnEarlyExit',
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 12,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function header(path: string, skip: boolean) {
  await using fh = await open(path);
  if (skip) {
    return;
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "missed on a break",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function scan(paths: string[]) {
  for (const path of paths) {
    const fh = await open(path);
    if (path.length === 0) {
      break;
    }
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'missedOnEarlyExit',
          line: 6,
          column: 7,
          endLine: 6,
          endColumn: 13,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function scan(paths: string[]) {
  for (const path of paths) {
    await using fh = await open(path);
    if (path.length === 0) {
      break;
    }
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "missed on a continue",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function scan(paths: string[]) {
  for (const path of paths) {
    const fh = await open(path);
    if (path.length === 0) {
      continue;
    }
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'missedOnEarlyExit',
          line: 6,
          column: 7,
          endLine: 6,
          endColumn: 16,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function scan(paths: string[]) {
  for (const path of paths) {
    await using fh = await open(path);
    if (path.length === 0) {
      continue;
    }
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "missed on a labelled continue",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function firstLines(paths: string[], skip: string[]) {
  outer: for (const path of paths) {
    const fh = await open(path);
    for (const name of skip) {
      if (path.endsWith(name)) {
        continue outer;
      }
    }
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'missedOnEarlyExit',
          line: 7,
          column: 9,
          endLine: 7,
          endColumn: 24,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export async function firstLines(paths: string[], skip: string[]) {
  outer: for (const path of paths) {
    await using fh = await open(path);
    for (const name of skip) {
      if (path.endsWith(name)) {
        continue outer;
      }
    }
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "discarded result",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function touch(path: string) {
  await open(path, 'a');
}`,
      errors: [
        {
          messageId: 'discarded',
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 24,
          suggestions: [],
        },
      ],
    },
    {
      name: "acquired in a loop, released once after it",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function last(paths: string[]) {
  let fh: FileHandle | undefined;
  for (const path of paths) {
    fh = await open(path);
  }
  await fh?.close();
}`,
      errors: [
        {
          messageId: 'acquiredInLoop',
          line: 5,
          column: 5,
          endLine: 5,
          endColumn: 7,
          suggestions: [],
        },
      ],
    },
    {
      name: "released in some branches only",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function maybeClose(path: string, done: boolean) {
  const fh = await open(path);
  if (done) {
    await fh.close();
  }
}`,
      errors: [
        {
          messageId: 'releasedInSomeBranches',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "released in one switch case only",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function finish(path: string, mode: 'keep' | 'drop') {
  const fh = await open(path);
  switch (mode) {
    case 'keep':
      await fh.close();
      break;
    default:
      break;
  }
}`,
      errors: [
        {
          messageId: 'releasedInSomeBranches',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "using: promise returned without await",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  return fh.stat();
}`,
      errors: [
        {
          messageId: 'promiseEscapes',
          line: 4,
          column: 10,
          endLine: 4,
          endColumn: 19,
          suggestions: [],
        },
      ],
    },
    {
      name: "finally: promise returned without await",
      code: `import type { Pool } from 'pg';
export async function count(pool: Pool) {
  const client = await pool.connect();
  try {
    return client.query('select count(*) from jobs');
  } finally {
    client.release();
  }
}`,
      errors: [
        {
          messageId: 'promiseEscapes',
          line: 5,
          column: 12,
          endLine: 5,
          endColumn: 53,
          suggestions: [],
        },
      ],
    },
    {
      name: "double dispose of a using variable",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  await using fh = await open(path);
  const stats = await fh.stat();
  await fh.close();
  return stats.size;
}`,
      errors: [
        {
          messageId: 'doubleDispose',
          line: 5,
          column: 9,
          endLine: 5,
          endColumn: 19,
          suggestions: [],
        },
      ],
    },
    {
      name: "pg: released only on success (no suggestion: not disposable)",
      code: `import type { Pool } from 'pg';
export async function count(pool: Pool) {
  const client = await pool.connect();
  const result = await client.query('select count(*) from jobs');
  client.release();
  return result;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 15,
          suggestions: [],
        },
      ],
    },
    {
      name: "mysql2: pool connection never released",
      code: `import type { Pool } from 'mysql2/promise';
export async function count(pool: Pool) {
  const connection = await pool.getConnection();
  return connection.query('select 1');
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 19,
          suggestions: [],
        },
      ],
    },
    {
      name: "async-mutex: released only on success",
      code: `import type { Mutex } from 'async-mutex';
export async function exclusive(mutex: Mutex, work: () => Promise<void>) {
  const release = await mutex.acquire();
  await work();
  release();
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 16,
          suggestions: [],
        },
      ],
    },
    {
      name: "borrowed by a callee that only reads it",
      code: `import { open, type FileHandle } from 'node:fs/promises';
async function transcode(fh: FileHandle) {
  await fh.read();
}
export async function run(path: string) {
  const fh = await open(path);
  await transcode(fh);
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 6,
          column: 9,
          endLine: 6,
          endColumn: 11,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
async function transcode(fh: FileHandle) {
  await fh.read();
}
export async function run(path: string) {
  await using fh = await open(path);
  await transcode(fh);
}`,
            },
          ],
        },
      ],
    },
    {
      name: "read stream never released in a sync function (no await using there)",
      code: `import { createReadStream } from 'node:fs';
export function firstChunk(path: string) {
  const stream = createReadStream(path);
  return stream.readableHighWaterMark;
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 15,
          suggestions: [],
        },
      ],
    },
    {
      name: "child process never released (sync dispose: using)",
      code: `import { spawn } from 'node:child_process';
export function start(input: string) {
  const child = spawn('ffmpeg', ['-i', input]);
  return child.pid;
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 14,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { spawn } from 'node:child_process';
export function start(input: string) {
  using child = spawn('ffmpeg', ['-i', input]);
  return child.pid;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "worker never terminated",
      code: `import { Worker } from 'node:worker_threads';
export function start(script: string) {
  const worker = new Worker(script);
  worker.postMessage('go');
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 15,
          suggestions: [],
        },
      ],
    },
    {
      name: "readline interface never closed",
      code: `import { createInterface } from 'node:readline';
export function prompt() {
  const rl = createInterface({ input: process.stdin });
  rl.prompt();
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "socket never ended",
      code: `import { createConnection } from 'node:net';
export function ping(port: number) {
  const socket = createConnection(port);
  socket.write('ping');
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 15,
          suggestions: [],
        },
      ],
    },
    {
      name: "timers option: setInterval never cleared",
      options: [{"timers":true}],
      code: `export function tick(callback: () => void) {
  const timer = setInterval(callback, 1000);
  return timer.hasRef();
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 2,
          column: 9,
          endLine: 2,
          endColumn: 14,
          suggestions: [],
        },
      ],
    },
    {
      name: "checkModuleTopLevel option",
      options: [{"checkModuleTopLevel":true}],
      code: `import { open, type FileHandle } from 'node:fs/promises';
const log = await open('/tmp/app.log', 'a');
await log.appendFile('started\\n');`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 2,
          column: 7,
          endLine: 2,
          endColumn: 10,
          suggestions: [],
        },
      ],
    },
    {
      name: "additional option: never released",
      options: [{"additional":[{"from":"file","name":"openThing","release":["shut"]}]}],
      code: `declare class Thing { read(): Promise<string>; shut(): void; }
declare function openThing(): Thing;
export async function read() {
  const thing = openThing();
  return await thing.read();
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 14,
          suggestions: [],
        },
      ],
    },
    {
      name: "fh?.close() only on success",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  const fh = await maybeOpen(path);
  const stats = await fh?.stat();
  await fh?.close();
  return stats?.size;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 11,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
declare function maybeOpen(path: string): Promise<FileHandle | undefined>;
export async function size(path: string) {
  await using fh = await maybeOpen(path);
  const stats = await fh?.stat();
  return stats?.size;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "sync disposable never released",
      code: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  const held = lease();
  held.release;
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 13,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  using held = lease();
  held.release;
}`,
            },
          ],
        },
      ],
    },
    {
      name: "nested try/catch: the release is skipped when the inner code throws",
      code: `import { open, type FileHandle } from 'node:fs/promises';
declare function report(error: unknown): void;
export async function size(path: string) {
  const fh = await open(path);
  try {
    try {
      await fh.stat();
    } finally {
      report('stat done');
    }
    await fh.close();
  } catch (error) {
    report(error);
  }
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "factory with an explicit throw before handing it on",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function openChecked(path: string) {
  const fh = await open(path);
  if ((await fh.stat()).size === 0) {
    throw new Error('empty file');
  }
  return fh;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          column: 9,
          endLine: 3,
          endColumn: 11,
          suggestions: [],
        },
      ],
    },
    {
      name: "a DisposableStack that is never disposed",
      code: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  const stack = new DisposableStack();
  const held = lease();
  stack.use(held);
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 4,
          column: 9,
          endLine: 4,
          endColumn: 14,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `declare class Lease implements Disposable { [Symbol.dispose](): void; release(): void; }
declare function lease(): Lease;
export function run() {
  using stack = new DisposableStack();
  const held = lease();
  stack.use(held);
}`,
            },
          ],
        },
      ],
    },
    {
      name: "FileHandle | undefined assigned later and never released",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export async function size(path: string) {
  let fh: FileHandle | undefined;
  fh = await open(path);
  return (await fh.stat()).size;
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 4,
          column: 3,
          endLine: 4,
          endColumn: 5,
          suggestions: [],
        },
      ],
    },
    {
      name: "acquired in a class method",
      code: `import { open, type FileHandle } from 'node:fs/promises';
export class Log {
  async size(path: string) {
    const fh = await open(path);
    return (await fh.stat()).size;
  }
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 4,
          column: 11,
          endLine: 4,
          endColumn: 13,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { open, type FileHandle } from 'node:fs/promises';
export class Log {
  async size(path: string) {
    await using fh = await open(path);
    return (await fh.stat()).size;
  }
}`,
            },
          ],
        },
      ],
    },
    {
      name: "the callee waiting for its exit loses a Promise.race",
      code: `import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
declare function sleep(ms: number): Promise<void>;
async function exited(child: ChildProcess) {
  await once(child, 'close');
}
export async function transcode(input: string) {
  const encoder = spawn('ffmpeg', ['-i', input]);
  await Promise.race([exited(encoder), sleep(1000)]);
}`,
      errors: [
        {
          messageId: 'neverReleased',
          line: 8,
          column: 9,
          endLine: 8,
          endColumn: 16,
          suggestions: [
            {
              messageId: 'suggestUsing',
              output: `import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
declare function sleep(ms: number): Promise<void>;
async function exited(child: ChildProcess) {
  await once(child, 'close');
}
export async function transcode(input: string) {
  using encoder = spawn('ffmpeg', ['-i', input]);
  await Promise.race([exited(encoder), sleep(1000)]);
}`,
            },
          ],
        },
      ],
    },
  ],
});

// Without type information the rule cannot tell a resource from any other value, so it stays silent.
createUntypedRuleTester().run('no-undisposed-resources (no type information)', rule, {
  valid: [
    {
      name: 'JS file: never released, but no types to know it',
      filename: 'file.js',
      code: `import { open } from 'node:fs/promises';
export async function size(path) {
  const fh = await open(path);
  return (await fh.stat()).size;
}`,
    },
    {
      name: 'JS file: discarded acquisition',
      filename: 'file.js',
      code: `import { open } from 'node:fs/promises';
export async function touch(path) {
  await open(path, 'a');
}`,
    },
  ],
  invalid: [],
});

// The project in test/fixtures/learned releases its own `Lease` in `finally` in three functions of
// sites.ts, `Note` in one, and `Channel` only in consumers handed one (lease.ts, sites.ts).
const leaseEvidence =
  ' `Lease` is a resource of this project: 3 other functions that acquire one release it with `release()` in `finally` (e.g. sites.ts:8).';
createTypedRuleTester('learned').run('no-undisposed-resources (learned resources)', rule, {
  valid: [
    {
      name: 'a learned type released in a finally',
      code: `import type { LeasePool } from './lease.js';
export async function names(pool: LeasePool) {
  const lease = await pool.lease();
  try {
    return await lease.query('select name from users');
  } finally {
    lease.release();
  }
}`,
    },
    {
      name: 'a type released in one finally only is not learned',
      code: `import { openNote } from './lease.js';
export async function log(text: string, ready: Promise<void>) {
  const note = openNote();
  await ready;
  note.write(text);
  note.close();
}`,
    },
    {
      name: 'a type released in finally only by consumers handed one is not learned',
      code: `import { openChannel } from './lease.js';
export async function announce(ready: Promise<void>) {
  const channel = openChannel();
  await ready;
  channel.send('up');
}`,
    },
    {
      name: 'learning off',
      options: [{ learnResources: false }],
      code: `import type { LeasePool } from './lease.js';
export async function names(pool: LeasePool) {
  const lease = await pool.lease();
  const rows = await lease.query('select name from users');
  lease.release();
  return rows;
}`,
    },
    {
      name: 'fewer acquirers than learnedResourceMinimumSites',
      options: [{ learnedResourceMinimumSites: 4 }],
      code: `import type { LeasePool } from './lease.js';
export async function names(pool: LeasePool) {
  const lease = await pool.lease();
  const rows = await lease.query('select name from users');
  lease.release();
  return rows;
}`,
    },
    {
      name: 'a learned release function called in a finally right after the acquisition',
      code: `import type { Gate } from './lease.js';
export async function send(gate: Gate, write: () => void) {
  const release = await gate.acquire();
  try {
    write();
  } finally {
    release();
  }
}`,
    },
    {
      name: 'a learned type handed out by a getter is not acquired',
      code: `import type { Lease } from './lease.js';
class Holder {
  constructor(private readonly lease: Lease) {}
  current(): Lease {
    return this.lease;
  }
}
export async function peek(holder: Holder) {
  return holder.current().query('select 1');
}`,
    },
  ],
  invalid: [
    {
      name: 'a learned type released only when the query succeeds, with the evidence',
      code: `import type { LeasePool } from './lease.js';
export async function names(pool: LeasePool) {
  const lease = await pool.lease();
  const rows = await lease.query('select name from users');
  lease.release();
  return rows;
}`,
      errors: [
        {
          messageId: 'releasedOnlyOnSuccess',
          line: 3,
          data: {
            name: 'lease',
            type: 'Lease',
            acquirer: 'pool.lease()',
            line: '3',
            throwLine: '4',
            remedy: 'release it in a `finally` block',
            evidence: leaseEvidence,
          },
        },
      ],
    },
    {
      name: 'a class implementing a learned interface, released only on success',
      code: `import { LiteRunner } from './lease.js';
export async function migrateLite() {
  const runner = new LiteRunner();
  await runner.run();
  await runner.release();
}`,
      errors: [{ messageId: 'releasedOnlyOnSuccess', line: 3 }],
    },
    {
      name: 'a learned release function, with a wait between the acquisition and the try',
      code: `import type { Gate } from './lease.js';
export async function send(gate: Gate, connect: () => Promise<void>, write: () => void) {
  const release = await gate.acquire();
  await connect();
  try {
    write();
  } finally {
    release();
  }
}`,
      errors: [
        {
          messageId: 'acquireTryGap',
          line: 4,
          data: {
            name: 'release',
            type: '() => void',
            acquirer: 'gate.acquire()',
            line: '3',
            tryLine: '5',
            remedy: 'release it in a `finally` block',
            evidence: ' `Gate#acquire` hands out a release function, which 2 other functions that call it call in `finally` (e.g. sites.ts:79).',
          },
        },
      ],
    },
    {
      name: 'new of a learned class, never released',
      code: `import { Lease } from './lease.js';
export async function probe() {
  const lease = new Lease('probe');
  return lease.query('select 1');
}`,
      errors: [{ messageId: 'neverReleased', line: 3 }],
    },
  ],
});
