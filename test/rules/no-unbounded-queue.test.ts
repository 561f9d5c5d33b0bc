import { describe, expect, it } from 'vitest';

import rule, { type Options } from '../../rules/no-unbounded-queue.js';
import { lintExampleService } from '../example-service.js';
import { createTypedRuleTester } from '../rule-tester.js';

const prelude = `import { createServer } from 'node:http';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Readable } from 'node:stream';
interface Job { id: string }
declare function load(id: string): Promise<Job>;
declare function compute(key: string): number;
declare function handle(job: Job): Promise<void>;
`;

const all: Options = [{ mode: 'all' }];

/** The example service's queue: a capacity it only counts against. */
const boundedQueue = `export class BoundedQueue<T> {
  overCapacity = 0;
  readonly #items: T[] = [];
  constructor(readonly capacity = 1_000) {}
  push(item: T): void {
    if (this.#items.length >= this.capacity) {
      this.overCapacity++;
    }
    this.#items.push(item);
  }
  take(): T | undefined {
    return this.#items.shift();
  }
}`;

createTypedRuleTester().run('no-unbounded-queue', rule, {
  valid: [
    // 1. Arrays used as queues
    {
      name: 'a local array used as a work list ends with its function',
      code: `${prelude}
export function walk(root: { children: unknown[] }) {
  const queue: unknown[] = [root];
  while (queue.length > 0) {
    const next = queue.shift() as { children: unknown[] };
    queue.push(...next.children);
  }
}`,
    },
    {
      name: 'a push after a length check that throws',
      code: `${prelude}
export class Queue {
  readonly #items: Job[] = [];
  constructor(readonly capacity = 100) {}
  push(job: Job) {
    if (this.#items.length >= this.capacity) throw new Error('queue full');
    this.#items.push(job);
  }
  take() { return this.#items.shift(); }
}`,
      options: all,
    },
    {
      name: 'a push inside the branch where the queue is below its bound',
      code: `${prelude}
const MAX = 100;
const pending: Job[] = [];
export function offer(job: Job): boolean {
  if (pending.length < MAX) {
    pending.push(job);
    return true;
  }
  return false;
}
export function next() { return pending.shift(); }`,
      options: all,
    },
    {
      name: 'a ring buffer that evicts the oldest entry before the push',
      code: `${prelude}
export class Recent {
  #events: string[] = [];
  record(event: string) {
    if (this.#events.length >= 50) this.#events.shift();
    this.#events.push(event);
  }
  oldest() { return this.#events.shift(); }
}`,
      options: all,
    },
    {
      name: 'a producer that waits while the queue is full',
      code: `${prelude}
export class Channel {
  #items: Job[] = [];
  #drained = Promise.resolve();
  async send(job: Job) {
    while (this.#items.length >= 16) await this.#drained;
    this.#items.push(job);
  }
  receive() { return this.#items.shift(); }
}`,
      options: all,
    },
    {
      name: 'a getter of the class that measures the queue is the bound check',
      code: `${prelude}
export class Mailbox {
  #items: Job[] = [];
  get size() { return this.#items.length; }
  deliver(job: Job) {
    if (this.size > 200) return;
    this.#items.push(job);
  }
  read() { return this.#items.shift(); }
}`,
      options: all,
    },
    {
      name: 'a waiter list: one entry per caller suspended in a Promise executor',
      code: `${prelude}
export class Gate {
  #waiters: Array<() => void> = [];
  wait() { return new Promise<void>((resolve) => { this.#waiters.push(resolve); }); }
  open() { this.#waiters.shift()?.(); }
}`,
      options: all,
    },
    {
      name: 'a queue drained in the function that fills it',
      code: `${prelude}
export class Batch {
  #items: Job[] = [];
  add(job: Job) {
    this.#items.push(job);
    while (this.#items.length > 0) void handle(this.#items.shift()!);
  }
}`,
      options: all,
    },
    {
      name: 'push with pop is a stack, bounded by its own nesting',
      code: `${prelude}
const open: string[] = [];
export function enter(name: string) { open.push(name); }
export function leave() { return open.pop(); }`,
      options: all,
    },
    {
      name: 'in the default mode, a method whose callers decide how often it runs is not judged',
      code: `${prelude}
export class Buffer2 {
  #items: Job[] = [];
  push(job: Job) { this.#items.push(job); }
  take() { return this.#items.shift(); }
}`,
    },
    // 2. Queue libraries
    {
      name: 'p-queue: each add awaited in the loop waits for its task',
      code: `${prelude}
import PQueue from 'p-queue';
const queue = new PQueue({ concurrency: 4 });
export async function importAll(ids: string[]) {
  for (const id of ids) await queue.add(() => load(id));
}`,
    },
    {
      name: 'p-queue: the producer waits for room',
      code: `${prelude}
import PQueue from 'p-queue';
const queue = new PQueue({ concurrency: 4 });
export async function importAll(ids: string[]) {
  for (const id of ids) {
    await queue.onSizeLessThan(100);
    void queue.add(() => load(id));
  }
}`,
    },
    {
      name: 'p-queue: one add outside any loop or handler',
      code: `${prelude}
import PQueue from 'p-queue';
const queue = new PQueue({ concurrency: 1 });
export function refresh() { void queue.add(() => load('config')); }`,
    },
    {
      name: "a Set's add in a loop of a file that imports p-queue is not a queue",
      code: `${prelude}
import PQueue from 'p-queue';
export const queue = new PQueue();
export function collect(ids: string[]) {
  const seen = new Set<string>();
  for (const id of ids) seen.add(id);
  return seen;
}`,
    },
    {
      name: 'fastq: the producer checks the backlog',
      code: `${prelude}
import fastq from 'fastq';
const queue = fastq.promise(handle, 2);
export function enqueue(jobs: Job[]) {
  for (const job of jobs) {
    if (queue.length() > 1000) break;
    void queue.push(job);
  }
}`,
    },
    // 3. Fan-out
    {
      name: 'a written-out tuple of tasks',
      code: `${prelude}
export const server = createServer(async (req, res) => {
  const [a, b] = await Promise.all([load('a'), load('b')]);
  res.end(a.id + b.id);
});`,
    },
    {
      name: 'an array literal mapped to tasks',
      code: `${prelude}
export const server = createServer(async (req, res) => {
  const jobs = await Promise.all(['a', 'b', 'c'].map((id) => load(id)));
  res.end(String(jobs.length));
});`,
    },
    {
      name: 'fan-out through p-limit',
      code: `${prelude}
import pLimit from 'p-limit';
const limit = pLimit(8);
export const server = createServer(async (req, res) => {
  const ids = new URL(req.url ?? '/', 'http://x').searchParams.getAll('id');
  const jobs = await Promise.all(ids.map((id) => limit(() => load(id))));
  res.end(String(jobs.length));
});`,
    },
    {
      name: 'in the default mode, fan-out in library code is not judged',
      code: `${prelude}
export async function loadAll(ids: string[]) {
  return Promise.all(ids.map((id) => load(id)));
}`,
    },
    {
      name: 'closing everything at once is bounded by what was opened',
      code: `${prelude}
export class Pool {
  #sockets: Array<{ close(): Promise<void> }> = [];
  async shutdown() { await Promise.all(this.#sockets.map((socket) => socket.close())); }
}`,
      options: all,
    },
    {
      name: 'waiting for promises that were started before the map',
      code: `${prelude}
export async function settle(results: Array<Promise<Job>>) {
  return Promise.all(results.map((result) => result.then((job) => job.id)));
}`,
      options: all,
    },
    {
      name: 'calling each of the program’s own hooks',
      code: `${prelude}
export async function runHooks(hooks: Array<() => Promise<void>>) {
  await Promise.all(hooks.map((hook) => hook()));
}`,
      options: all,
    },
    // 4. Capacities
    {
      name: 'a small capacity',
      code: `${prelude}
export class Ring { constructor(readonly capacity = 1_000) {} }`,
    },
    {
      name: 'a byte stream’s high-water mark counts bytes',
      code: `${prelude}
export const source = new Readable({ highWaterMark: 64 * 1024, read() {} });`,
    },
    {
      name: '`max` of something that is not a cache or a queue',
      code: `${prelude}
declare function validate(options: { max: number }): boolean;
export const ok = validate({ max: 100_000 });`,
    },
    {
      name: 'a cache of a bounded size',
      code: `${prelude}
declare class LRUCache<K, V> { constructor(options: { max: number }); get(key: K): V | undefined }
export const cache = new LRUCache<string, Job>({ max: 500 });`,
    },
    // 5. Grow-only collections
    {
      name: 'a module cache swept by a TTL timer',
      code: `${prelude}
const cache = new Map<string, { job: Job; at: number }>();
export async function get(id: string) {
  const hit = cache.get(id);
  if (hit) return hit.job;
  const job = await load(id);
  cache.set(id, { job, at: Date.now() });
  return job;
}
setInterval(() => { for (const [id, entry] of cache) if (Date.now() - entry.at > 60_000) cache.delete(id); }, 10_000).unref();`,
    },
    {
      name: 'an LRU that evicts when it is full',
      code: `${prelude}
const cache = new Map<string, number>();
export function get(key: string) {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (cache.size >= 100) cache.delete(cache.keys().next().value!);
  const value = compute(key);
  cache.set(key, value);
  return value;
}`,
    },
    {
      name: 'keys of a finite set',
      code: `${prelude}
type Region = 'eu' | 'us' | 'ap';
const byRegion = new Map<Region, number>();
export function count(region: Region) {
  byRegion.set(region, (byRegion.get(region) ?? 0) + 1);
}`,
    },
    {
      name: 'a table filled when the module loads',
      code: `${prelude}
const codes = new Map<string, number>();
for (const [name, code] of [['ok', 200], ['missing', 404]] as const) codes.set(name, code);
export function lookup(name: string) { return codes.get(name); }`,
    },
    {
      name: 'a WeakMap keyed by the object it describes',
      code: `${prelude}
const sizes = new WeakMap<object, number>();
export function size(value: object) {
  if (!sizes.has(value)) sizes.set(value, JSON.stringify(value).length);
  return sizes.get(value);
}`,
    },
    {
      name: 'a table filled by an initialising function',
      code: `${prelude}
const handlers = new Map<string, () => void>();
export function registerHandler(name: string, handler: () => void) {
  if (!handlers.has(name)) handlers.set(name, handler);
}`,
    },
    {
      name: 'the state of an object whose lifetime the code does not show',
      code: `${prelude}
export class Room {
  #members = new Map<string, Job>();
  member(id: string) {
    if (!this.#members.has(id)) this.#members.set(id, { id });
    return this.#members.get(id);
  }
}`,
    },
    {
      name: 'in the default mode, a module cache keyed by a parameter is not judged: the key may name configuration',
      code: `${prelude}
const compiled = new Map<string, RegExp>();
export function pattern(glob: string) {
  if (!compiled.has(glob)) compiled.set(glob, new RegExp(glob));
  return compiled.get(glob);
}`,
    },
    {
      name: 'an exported map may be shrunk by its importers',
      code: `${prelude}
export const sessions = new Map<string, Job>();
export function session(id: string) {
  if (!sessions.has(id)) sessions.set(id, { id });
  return sessions.get(id);
}`,
    },
    {
      name: 'the warnings already shown, keyed by messages the program writes',
      code: `${prelude}
const emitted = new Set<string>();
export function emitWarningOnce(message: string) {
  if (!emitted.has(message)) {
    emitted.add(message);
    process.emitWarning(message);
  }
}`,
    },
    // 6. Listener leaks
    {
      name: 'a listener added once when the module loads',
      code: `${prelude}
process.on('exit', () => console.log('bye'));`,
    },
    {
      name: 'a per-request listener added with once',
      code: `${prelude}
export const server = createServer((req, res) => {
  process.once('SIGTERM', () => res.end());
  res.end();
});`,
    },
    {
      name: 'a per-request listener removed when the request ends',
      code: `${prelude}
export const server = createServer((req, res) => {
  const onTerm = () => res.end();
  process.on('SIGTERM', onTerm);
  res.on('close', () => process.off('SIGTERM', onTerm));
});`,
    },
    {
      name: 'a listener with a signal',
      code: `${prelude}
declare const bus: EventTarget;
export const server = createServer((req, res) => {
  const controller = new AbortController();
  bus.addEventListener('tick', () => res.write('.'), { signal: controller.signal });
  res.on('close', () => controller.abort());
});`,
    },
    {
      name: 'a listener on an emitter made for the request',
      code: `${prelude}
import { EventEmitter } from 'node:events';
export const server = createServer((req, res) => {
  const progress = new EventEmitter();
  progress.on('step', () => res.write('.'));
  res.end();
});`,
    },
    {
      name: 'a listener added when a one-shot event fires',
      code: `${prelude}
import { EventEmitter } from 'node:events';
const client = new EventEmitter();
client.on('connect', () => {
  client.on('message', (text: string) => console.log(text));
});`,
    },
    {
      name: 'a registration whose result unsubscribes',
      code: `${prelude}
declare const bus: { on(event: string, listener: () => void): () => void };
export const server = createServer((req, res) => {
  const off = bus.on('tick', () => res.write('.'));
  res.on('close', off);
});`,
    },
    // 7. Stream backpressure
    {
      name: 'a loop that waits for drain',
      code: `${prelude}
export async function dump(rows: string[]) {
  const out = createWriteStream('/tmp/rows.txt');
  for (const row of rows) {
    if (!out.write(row)) await once(out, 'drain');
  }
  out.end();
}`,
    },
    {
      name: 'a write outside any loop',
      code: `${prelude}
export function greet(path: string) {
  const out = createWriteStream(path);
  out.write('hello');
  out.end();
}`,
    },
    {
      name: 'the headers of one part',
      code: `${prelude}
import { PassThrough } from 'node:stream';
export function part(headers: Record<string, string>) {
  const stream = new PassThrough();
  for (const [key, value] of Object.entries(headers)) stream.write(\`\${key}: \${value}\\r\\n\`);
  return stream;
}`,
    },
    {
      name: 'a web stream writer returns a promise, not a flag',
      code: `${prelude}
export async function send(writer: WritableStreamDefaultWriter<string>, rows: string[]) {
  for (const row of rows) void writer.write(row);
}`,
    },
    {
      name: 'each part switched off by its option',
      code: `${prelude}
${boundedQueue}
const cache = new Map<string, number>();
export function get(key: string) {
  if (!cache.has(key)) cache.set(key, compute(key));
  return cache.get(key);
}`,
      options: [{ arrayQueues: false, capacities: false, growOnlyCollections: false }],
    },
    {
      name: 'test files are left alone',
      code: `${prelude}
${boundedQueue}`,
      filename: 'test-file/file.test.ts',
    },
  ],
  invalid: [
    // 1. Arrays used as queues
    {
      name: 'the example service: a capacity the push only counts against',
      code: `${prelude}
${boundedQueue}`,
      errors: [
        {
          messageId: 'arrayQueue',
          line: 18,
          data: { queue: 'this.#items', drain: 'this.#items.shift()', drainLine: '21', observed: ' (the length check on line 15 lets the push happen anyway)' },
        },
      ],
    },
    {
      name: 'a module queue fed by a request handler and drained by a worker',
      code: `${prelude}
const jobs: Job[] = [];
export const server = createServer((req, res) => {
  jobs.push({ id: req.url ?? '' });
  res.end();
});
export async function work() {
  for (;;) {
    const job = jobs.shift();
    if (job) await handle(job);
  }
}`,
      errors: [{ messageId: 'arrayQueue', line: 12 }],
    },
    {
      name: 'a queue fed by an event listener',
      code: `${prelude}
import { EventEmitter } from 'node:events';
export class Consumer {
  #backlog: string[] = [];
  constructor(source: EventEmitter) {
    source.on('data', (chunk: string) => { this.#backlog.push(chunk); });
  }
  next() { return this.#backlog.shift(); }
}`,
      errors: [{ messageId: 'arrayQueue', line: 14 }],
    },
    {
      name: 'a queue fed by a method named for the event it is called on',
      code: `${prelude}
export class KeyDownloader {
  #requests: { roomId: string; sessionId: string }[] = [];
  onKeyMissing(roomId: string, sessionId: string): void {
    this.#requests.push({ roomId, sessionId });
  }
  async drain(): Promise<void> {
    while (this.#requests.length > 0) await handle({ id: this.#requests.shift()!.sessionId });
  }
}`,
      errors: [{ messageId: 'arrayQueue', line: 13 }],
    },
    {
      name: 'asking whether the queue is empty is not a bound',
      code: `${prelude}
export class Outbox {
  #items: Job[] = [];
  send(job: Job) {
    if (this.#items.length === 0) queueMicrotask(() => this.flush());
    this.#items.push(job);
  }
  flush() { this.#items.shift(); }
}`,
      options: all,
      errors: [{ messageId: 'arrayQueue', line: 14 }],
    },
    {
      name: 'unshift with pop is a queue too',
      code: `${prelude}
export class Lane {
  #items: Job[] = [];
  put(job: Job) { this.#items.unshift(job); }
  get() { return this.#items.pop(); }
}`,
      options: all,
      errors: [{ messageId: 'arrayQueue', line: 12 }],
    },
    // 2. Queue libraries
    {
      name: 'p-queue: a producer loop that never looks at the backlog',
      code: `${prelude}
import PQueue from 'p-queue';
const queue = new PQueue({ concurrency: 4 });
export function importAll(ids: string[]) {
  for (const id of ids) void queue.add(() => load(id));
}`,
      errors: [{ messageId: 'queueWithoutBackpressure', line: 13 }],
    },
    {
      name: 'p-queue: adding from a request handler',
      code: `${prelude}
import PQueue from 'p-queue';
const queue = new PQueue({ concurrency: 1 });
export const server = createServer((req, res) => {
  void queue.add(() => load(req.url ?? ''));
  res.end();
});`,
      errors: [{ messageId: 'queueWithoutBackpressure', line: 13 }],
    },
    {
      name: 'fastq: pushing in a forEach',
      code: `${prelude}
import fastq from 'fastq';
const queue = fastq.promise(handle, 2);
export function enqueue(jobs: Job[]) {
  jobs.forEach((job) => { void queue.push(job); });
}`,
      errors: [{ messageId: 'queueWithoutBackpressure', line: 13 }],
    },
    {
      name: 'a queue library named in the options',
      code: `${prelude}
import AsyncLock from 'async-lock';
const lock = new AsyncLock();
export function all(keys: string[]) {
  for (const key of keys) void lock.acquire(key, () => load(key));
}`,
      options: [{ queues: [{ package: 'async-lock', methods: ['acquire'], sizeChecks: ['isBusy'] }] }],
      errors: [{ messageId: 'queueWithoutBackpressure', line: 13 }],
    },
    // 3. Fan-out
    {
      name: 'a request handler starts one fetch per id it was sent',
      code: `${prelude}
export const server = createServer(async (req, res) => {
  const ids = new URL(req.url ?? '/', 'http://x').searchParams.getAll('id');
  const jobs = await Promise.all(ids.map((id) => load(id)));
  res.end(String(jobs.length));
});`,
      errors: [{ messageId: 'unboundedFanOut', line: 12, data: { combinator: 'Promise.all', work: '`load(…)`', source: 'ids' } }],
    },
    {
      name: 'promises pushed in a loop',
      code: `${prelude}
export async function loadAll(ids: string[]) {
  const tasks: Array<Promise<Job>> = [];
  for (const id of ids) tasks.push(load(id));
  return Promise.all(tasks);
}`,
      options: all,
      errors: [{ messageId: 'unboundedFanOut', line: 13 }],
    },
    {
      name: 'Array.from with an async callback',
      code: `${prelude}
export async function loadAll(ids: Set<string>) {
  return Promise.allSettled(Array.from(ids, async (id) => handle(await load(id))));
}`,
      options: all,
      errors: [{ messageId: 'unboundedFanOut', line: 11 }],
    },
    {
      name: 'a function given by name',
      code: `${prelude}
export async function loadAll(ids: string[]) {
  return Promise.all(ids.map(load));
}`,
      options: all,
      errors: [{ messageId: 'unboundedFanOut', line: 11 }],
    },
    // 4. Capacities
    {
      name: 'a default capacity of 100 000',
      code: `${prelude}
export class Channel { constructor(readonly capacity = 100_000) {} }`,
      errors: [{ messageId: 'capacityTooLarge', line: 10, data: { name: 'capacity', amount: '100,000', max: '10,000' } }],
    },
    {
      name: 'an object-mode stream counts items',
      code: `${prelude}
export const source = new Readable({ objectMode: true, highWaterMark: 100_000, read() {} });`,
      errors: [{ messageId: 'capacityTooLarge', line: 10 }],
    },
    {
      name: 'the size of a cache, in scientific notation',
      code: `${prelude}
declare class LRUCache<K, V> { constructor(options: { max: number }); get(key: K): V | undefined }
export const cache = new LRUCache<string, Job>({ max: 1e6 });`,
      errors: [{ messageId: 'capacityTooLarge', line: 11 }],
    },
    {
      name: 'a capacity folded through a const',
      code: `${prelude}
const MAX_QUEUE = 50_000;
declare function connect(options: { maxQueueSize: number }): void;
connect({ maxQueueSize: MAX_QUEUE * 2 });`,
      errors: [{ messageId: 'capacityTooLarge', line: 12, data: { name: 'maxQueueSize', amount: '100,000', max: '10,000' } }],
    },
    {
      name: 'a positional argument whose parameter is a capacity',
      code: `${prelude}
declare class Channel<T> { constructor(capacity: number); send(value: T): void }
export const channel = new Channel<Job>(250_000);`,
      errors: [{ messageId: 'capacityTooLarge', line: 11 }],
    },
    {
      name: 'a field, with a lower maximum from the options',
      code: `${prelude}
export class Pool { maxPending = 5_000; }`,
      options: [{ maxCapacity: 1_000 }],
      errors: [{ messageId: 'capacityTooLarge', line: 10 }],
    },
    // 5. Grow-only collections
    {
      name: 'a module memo cache that never evicts',
      code: `${prelude}
const cache = new Map<string, number>();
export function get(key: string) {
  if (!cache.has(key)) cache.set(key, compute(key));
  return cache.get(key);
}`,
      options: all,
      errors: [{ messageId: 'growOnlyCollection', line: 12, data: { collection: 'cache', when: 'for every new key', kind: 'Map' } }],
    },
    {
      name: 'the example service: a read-through cache with a TTL nothing sweeps',
      code: `${prelude}
export class OrderCache {
  readonly #entries = new Map<string, { job: Job; expiresAt: number }>();
  async get(id: string) {
    const cached = this.#entries.get(id);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.job;
    const job = await load(id);
    this.#entries.set(id, { job, expiresAt: Date.now() + 30_000 });
    return job;
  }
}`,
      errors: [{ messageId: 'growOnlyCollection', line: 16 }],
    },
    {
      name: 'a record of every request',
      code: `${prelude}
const seen: string[] = [];
export const server = createServer((req, res) => {
  seen.push(req.url ?? '');
  res.end();
});`,
      errors: [{ messageId: 'growOnlyCollection', line: 12, data: { collection: 'seen', when: 'on every request', kind: 'array' } }],
    },
    {
      name: 'an object used as a dictionary, static on a class',
      code: `${prelude}
export class Patterns {
  private static cached: Record<string, RegExp> = {};
  static get(glob: string) {
    if (!Patterns.cached[glob]) Patterns.cached[glob] = new RegExp(glob);
    return Patterns.cached[glob];
  }
}`,
      options: all,
      errors: [{ messageId: 'growOnlyCollection', line: 13 }],
    },
    // 6. Listener leaks
    {
      name: 'a process listener added on every request',
      code: `${prelude}
export const server = createServer((req, res) => {
  process.on('uncaughtException', () => res.end());
  res.end();
});`,
      errors: [{ messageId: 'listenerLeak', line: 11, data: { call: 'process.on()', target: 'process', repeatedBy: 'each request' } }],
    },
    {
      name: 'a listener added inside another listener of a repeating event',
      code: `${prelude}
import { EventEmitter } from 'node:events';
export class Session {
  constructor(private readonly socket: EventEmitter, private readonly acks: EventEmitter) {
    this.socket.on('message', () => {
      this.acks.on('ack', () => console.log('acked'));
    });
  }
}`,
      errors: [{ messageId: 'listenerLeak', line: 14, data: { call: 'this.acks.on()', target: 'this.acks', repeatedBy: 'each `message` event of `this.socket`' } }],
    },
    {
      name: 'a window listener added on every message',
      code: `${prelude}
window.addEventListener('message', () => {
  window.addEventListener('resize', () => console.log('resized'));
});`,
      errors: [{ messageId: 'listenerLeak', line: 11 }],
    },
    // 7. Stream backpressure
    {
      name: 'rows written to a file in a loop',
      code: `${prelude}
export function dump(rows: string[]) {
  const out = createWriteStream('/tmp/rows.txt');
  for (const row of rows) {
    out.write(row);
    out.write('\\n');
  }
  out.end();
}`,
      errors: [{ messageId: 'ignoredBackpressure', line: 13 }],
    },
    {
      name: 'a response written in a forEach',
      code: `${prelude}
declare const rows: string[];
export const server = createServer((req, res) => {
  rows.forEach((row) => res.write(row));
  res.end();
});`,
      errors: [{ messageId: 'ignoredBackpressure', line: 12 }],
    },
  ],
});

describe('no-unbounded-queue on the example service', () => {
  it('finds the 100 000-slot queue that only counts, and the order cache nothing evicts', { timeout: 120_000 }, async () => {
    const found = await lintExampleService('no-unbounded-queue', rule);
    expect(found).toEqual(['src/order-cache.ts:32 growOnlyCollection', 'src/queue.ts:14 capacityTooLarge', 'src/queue.ts:26 arrayQueue']);
  });
});
