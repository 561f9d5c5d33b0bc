import rule from '../../rules/no-non-null-assertion-in-hot-path.js';
import { createTypedRuleTester, createUntypedRuleTester } from '../rule-tester.js';

// Each invalid case has a valid neighbour that differs in one detail: the loop, the guard, the
// receiver's type, the registering library or the annotation that makes the position hot or safe.
createTypedRuleTester().run('no-non-null-assertion-in-hot-path', rule, {
  valid: [
    `
import type { ServerResponse } from 'node:http';
declare const prices: Map<string, number>;
export function sendPrice(res: ServerResponse, sku: string): void {
  res.end(String(prices.get(sku)!));
}
`,
    `
interface Warehouse { id: string; primary: boolean }
interface Product { id: string; warehouses: Warehouse[] }
export function primaryWarehouseId(product: Product): string {
  return product.warehouses.find((w) => w.primary)!.id;
}
`,
    `
declare const queue: string[];
export function drain(): void {
  while (queue.length > 0) {
    const job = queue.shift()!;
    console.log(job);
  }
}
`,
    `
declare const prices: Map<string, number>;
export function total(skus: string[]): number {
  let sum = 0;
  for (const sku of skus) {
    if (prices.has(sku)) sum += prices.get(sku)!;
  }
  return sum;
}
`,
    `
declare const groups: Map<string, string[]>;
export function regroup(words: string[]): void {
  for (const word of words) {
    if (!groups.has(word)) groups.set(word, []);
    groups.get(word)!.push(word);
  }
}
`,
    `
declare const groups: Map<string, string[]>;
export async function regroupLater(words: string[]): Promise<void> {
  for (const word of words) {
    if (!groups.has(word)) continue;
    groups.get(word)!.push(word);
    await Promise.resolve();
  }
}
`,
    `
export function sumAll(values: number[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
`,
    `
export function sumBackwards(values: readonly number[]): number {
  let total = 0;
  for (let i = values.length - 1; i >= 0; i--) total += values[i]!;
  return total;
}
`,
    `
export function sumKeys(values: number[]): number {
  let total = 0;
  for (const i of values.keys()) total += values[i]!;
  return total;
}
`,
    `
export function sumRecord(record: Record<string, number>): number {
  let total = 0;
  for (const key in record) total += record[key]!;
  return total;
}
`,
    `
export function sumPlain(values: number[]): number {
  let total = 0;
  for (const value of values) total += value!;
  return total;
}
`,
    `
declare const loose: any;
export function untyped(keys: string[]): void {
  for (const key of keys) console.log(loose.get(key)!);
}
`,
    `
export function lastOf(values: number[]): number {
  let last!: number;
  for (const value of values) last = value;
  return last;
}
`,
    `
declare const cache: Map<string, string>;
export function later(items: string[]): (() => string)[] {
  const callbacks: (() => string)[] = [];
  for (const item of items) {
    callbacks.push(() => cache.get(item)!);
  }
  return callbacks;
}
`,
    `
import { createServer } from 'node:http';
export const server = createServer((req, res) => {
  const url = new URL(req.url!, 'http://localhost');
  res.end(url.pathname);
});
`,
    `
declare const prices: Map<string, number>;
function priceOf(sku: string): number {
  return prices.get(sku)!;
}
export function first(skus: string[]): number {
  for (const sku of skus) console.log(sku);
  return priceOf(skus[0] ?? '');
}
`,
    `
declare const cache: Map<string, string>;
export function migrateUsers(ids: string[]): void {
  for (const id of ids) console.log(cache.get(id)!);
}
`,
    `
declare const cache: Map<string, { name: string }>;
/** @cold */
export function warmUp(keys: string[]): void {
  for (const key of keys) console.log(cache.get(key)!.name);
}
`,
    `
declare const cache: Map<string, string>;
declare const keys: string[];
for (const key of keys) console.log(cache.get(key)!);
`,
    `
declare const cache: Map<string, string>;
declare const keys: string[];
export const names = keys.map((key) => cache.get(key)!);
`,
    `
declare const prices: Map<string, number>;
interface Batch { forEach(callback: (sku: string) => void): void }
export function sum(skus: Batch): number {
  let total = 0;
  skus.forEach((sku) => {
    total += prices.get(sku)!;
  });
  return total;
}
`,
    `
import { EventEmitter } from 'node:events';
declare const routes: Map<string, string>;
export const bus = new EventEmitter();
bus.once('message', (topic: string) => {
  console.log(routes.get(topic)!);
});
`,
    `
import { EventEmitter } from 'node:events';
declare const routes: Map<string, string>;
export const bus = new EventEmitter();
bus.on('close', (topic: string) => {
  console.log(routes.get(topic)!);
});
`,
    `
declare function createServer(handler: (req: { url?: string }) => void): void;
createServer((req) => {
  console.log(new URL(req.url!, 'http://localhost'));
});
`,
    `
interface Router { get(path: string, handler: (req: { id?: string }) => void): void }
declare const router: Router;
declare const orders: Map<string, { total: number }>;
router.get('/orders/:id', (req) => {
  console.log(orders.get(req.id!)!.total);
});
`,
    `
declare const stock: Map<string, number>;
export async function GET(sku: string): Promise<number> {
  return stock.get(sku)!;
}
`,
    { options: [{"hotFunctions":["handle*"]}], code: `
declare const cache: Map<string, string>;
export function loadLookup(key: string): string {
  return cache.get(key)!;
}
` },
    `
const kSeen = Symbol('seen');
export function decorate(documents: { [kSeen]?: string[] }[]): void {
  for (const document of documents) {
    if (!document[kSeen]) {
      Object.defineProperty(document, kSeen, { value: [], enumerable: false });
    }
    document[kSeen]!.push('seen');
  }
}
`,
    // A `!` on the target of a write asserts nothing that can fail; its neighbour reads `counter.next`.
    `
interface Counter { count?: number; label?: string }
export function recount(counters: Counter[], values: number[]): void {
  let first: number | undefined;
  for (const counter of counters) counter.count! = 0;
  for (const counter of counters) counter.count! += 1;
  for (const counter of counters) counter.count!++;
  for (const counter of counters) [counter.label!] = ['label'];
  for (const counter of counters) ({ count: counter.count! } = { count: 1 });
  for (const value of values) [first!] = [value];
  console.log(first);
}
`,
    `
export function parameterNames(query: string): string[] {
  return query.split('&').map((part) => decodeURIComponent(part.split('=', 1)[0]!));
}
`,
    `
interface Ready { event: number; toolUse: string }
export class Runner {
  #ready: Ready[] = [];
  release(handled: number, onToolCall: (toolUse: string) => void): void {
    while (this.#ready[0] && this.#ready[0].event <= handled) {
      onToolCall(this.#ready.shift()!.toolUse);
    }
  }
}
`,
    `
interface Callback { runAt: number; key: number }
export function runCallbacks(callbackList: Callback[], timestamp: number): Callback[] {
  const callbacksToRun: Callback[] = [];
  while (true) {
    const first = callbackList[0];
    if (!first || first.runAt > timestamp) {
      break;
    }
    callbacksToRun.push(callbackList.shift()!);
  }
  return callbacksToRun;
}
`,
    `
interface StateEvent { getType(): string; getStateKey(): string }
export class RoomState {
  events = new Map<string, Map<string, StateEvent>>();
  unknown(events: StateEvent[]): StateEvent[] {
    return events.filter((event) => !this.events.has(event.getType()) || !this.events.get(event.getType())!.has(event.getStateKey()));
  }
}
`,
    `
interface Action { execute(): Error | undefined; unsubscribe(): void }
export class Scheduler {
  actions: Action[] = [];
  flush(action: Action): void {
    const { actions } = this;
    let error: Error | undefined;
    do {
      if ((error = action.execute())) break;
    } while ((action = actions.shift()!));
    if (error) {
      while ((action = actions.shift()!)) action.unsubscribe();
      throw error;
    }
  }
}
`,
    `
interface Option { _zod: { values?: Set<string> } }
export function unionValues(def: { options: readonly Option[] }): Set<string> | undefined {
  if (def.options.every((o) => o._zod.values)) {
    return new Set(def.options.flatMap((option) => Array.from(option._zod.values!)));
  }
  return undefined;
}
`,
    `
export function unionPattern(sources: (string | undefined)[]): string | undefined {
  if (sources.every(Boolean)) return sources.map((s) => s!.trim()).join('|');
  return undefined;
}
`,
    `
export function trpcPath(resource: string, parameters: Record<string, string>): string {
  const matches = resource.matchAll(/\\{(.*?)\\}/g);
  for (const match of matches) {
    const group = match[1]!;
    if (group.includes('+')) return parameters[group.replace('+', '')] ?? '';
  }
  return '';
}
`,
    `
export class MediaHandler {
  private audioInput?: string;
  private videoInput?: string;
  remember(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      const settings = track.getSettings();
      if (track.kind === 'audio') {
        this.audioInput = settings.deviceId!;
      } else if (track.kind === 'video') {
        this.videoInput = settings.deviceId!;
      }
    }
  }
}
`,
    `
interface Feed { stream: MediaStream }
export class Call {
  localUsermediaFeed?: Feed;
  get localUsermediaStream(): MediaStream | undefined {
    return this.localUsermediaFeed?.stream;
  }
  replaceTracks(stream: MediaStream): void {
    for (const track of this.localUsermediaStream!.getTracks()) {
      this.localUsermediaStream!.removeTrack(track);
      track.stop();
    }
    for (const track of stream.getTracks()) {
      this.localUsermediaStream!.addTrack(track);
    }
  }
  muteLater(): void {
    setTimeout(() => {
      for (const t of this.localUsermediaStream!.getVideoTracks()) {
        t.stop();
        this.localUsermediaStream!.removeTrack(t);
      }
    }, 120);
  }
}
`,
    `
export function copyConfig(wellknown: Record<string, Record<string, string>>, clientConfig: Record<string, Record<string, string>>): void {
  Object.keys(wellknown).forEach((k) => {
    for (const prop of Object.keys(wellknown[k]!)) clientConfig[k] = { ...clientConfig[k], [prop]: wellknown[k]![prop]! };
  });
}
`,
    `
export function derived(computes: Record<string, () => number>, table: Record<string, number>): void {
  for (const key in computes) {
    const compute = computes[key]!;
    table[key] = compute();
  }
}
`
  ],
  invalid: [
{ code: `
interface Counter { count?: number; next?: { count: number } }
export function reset(counters: Counter[]): void {
  for (const counter of counters) {
    counter.next!.count = 0;
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 5, data: { expression: "counter.next", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
interface Counter { count?: number; next?: { count: number } }
export function reset(counters: Counter[]): void {
  for (const counter of counters) {
    const next = counter.next;
    if (next === undefined) throw new Error("counter.next is undefined in reset (file.ts:5:5)");
    next.count = 0;
  }
}
` }] }] },

{ code: `
interface Warehouse { id: string; primary: boolean }
interface Product { id: string; warehouses: Warehouse[] }
export function primaryWarehouseIds(products: Product[]): string[] {
  const ids: string[] = [];
  for (const product of products) {
    const warehouse = product.warehouses.find((w) => w.primary)!;
    ids.push(warehouse.id);
  }
  return ids;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 7, column: 23, data: { expression: "product.warehouses.find((w) => w.primary)", hotPath: "inside a `for…of` loop at line 6" }, suggestions: [{ messageId: 'throwMissingValue', output: `
interface Warehouse { id: string; primary: boolean }
interface Product { id: string; warehouses: Warehouse[] }
export function primaryWarehouseIds(products: Product[]): string[] {
  const ids: string[] = [];
  for (const product of products) {
    const warehouse = product.warehouses.find((w) => w.primary);
    if (warehouse === undefined) throw new Error("product.warehouses.find((w) => w.primary) is undefined in primaryWarehouseIds (file.ts:7:23)");
    ids.push(warehouse.id);
  }
  return ids;
}
` }] }] },

{ code: `
declare const prices: Map<string, number>;
export function total(count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    sum += prices.get(String(i))!;
  }
  return sum;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 12, data: { expression: "prices.get(String(i))", hotPath: "inside a `for` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const prices: Map<string, number>;
export function total(count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const price = prices.get(String(i));
    if (price === undefined) throw new Error("prices.get(String(i)) is undefined in total (file.ts:6:12)");
    sum += price;
  }
  return sum;
}
` }] }] },

{ code: `
declare const queue: string[];
declare let running: boolean;
export function drain(): void {
  while (running) {
    const job = queue.shift()!;
    console.log(job);
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 17, data: { expression: "queue.shift()", hotPath: "inside a `while` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const queue: string[];
declare let running: boolean;
export function drain(): void {
  while (running) {
    const job = queue.shift();
    if (job === undefined) throw new Error("queue.shift() is undefined in drain (file.ts:6:17)");
    console.log(job);
  }
}
` }] }] },

{ code: `
declare const queue: string[];
export function drainOnce(): void {
  do {
    const job = queue.pop()!;
    console.log(job);
  } while (queue.length > 3);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 17, data: { expression: "queue.pop()", hotPath: "inside a `do…while` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const queue: string[];
export function drainOnce(): void {
  do {
    const job = queue.pop();
    if (job === undefined) throw new Error("queue.pop() is undefined in drainOnce (file.ts:5:17)");
    console.log(job);
  } while (queue.length > 3);
}
` }] }] },

{ code: `
declare const labels: Map<string, string>;
export function describe(record: Record<string, number>): string[] {
  const out: string[] = [];
  for (const key in record) {
    out.push(labels.get(key)!);
  }
  return out;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 14, data: { expression: "labels.get(key)", hotPath: "inside a `for…in` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const labels: Map<string, string>;
export function describe(record: Record<string, number>): string[] {
  const out: string[] = [];
  for (const key in record) {
    const label = labels.get(key);
    if (label === undefined) throw new Error("labels.get(key) is undefined in describe (file.ts:6:14)");
    out.push(label);
  }
  return out;
}
` }] }] },

{ code: `
declare const sizes: Map<string, number>;
export async function measure(chunks: AsyncIterable<string>): Promise<number> {
  let total = 0;
  for await (const chunk of chunks) {
    total += sizes.get(chunk)!;
  }
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 14, data: { expression: "sizes.get(chunk)", hotPath: "inside a `for await…of` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const sizes: Map<string, number>;
export async function measure(chunks: AsyncIterable<string>): Promise<number> {
  let total = 0;
  for await (const chunk of chunks) {
    const size = sizes.get(chunk);
    if (size === undefined) throw new Error("sizes.get(chunk) is undefined in measure (file.ts:6:14)");
    total += size;
  }
  return total;
}
` }] }] },

{ code: `
declare const prices: Map<string, number>;
export function doubled(skus: string[]): number[] {
  return skus.map((sku) => prices.get(sku)! * 2);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 28, data: { expression: "prices.get(sku)", hotPath: "inside a `map` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const prices: Map<string, number>;
export function doubled(skus: string[]): number[] {
  return skus.map((sku) => {
    const price = prices.get(sku);
    if (price === undefined) throw new Error("prices.get(sku) is undefined in the map callback in doubled (file.ts:4:28)");
    return price * 2;
  });
}
` }] }] },

{ code: `
declare const owners: Map<string, { name: string }>;
export function report(counts: Map<string, number>): void {
  counts.forEach((count, key) => {
    console.log(owners.get(key)!.name, count);
  });
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 17, data: { expression: "owners.get(key)", hotPath: "inside a `forEach` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const owners: Map<string, { name: string }>;
export function report(counts: Map<string, number>): void {
  counts.forEach((count, key) => {
    const owner = owners.get(key);
    if (owner === undefined) throw new Error("owners.get(key) is undefined in the forEach callback in report (file.ts:5:17)");
    console.log(owner.name, count);
  });
}
` }] }] },

{ code: `
declare const weights: Map<number, number>;
export function scale(samples: Float64Array): Float64Array {
  return samples.map((sample) => sample * weights.get(sample)!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 43, data: { expression: "weights.get(sample)", hotPath: "inside a `map` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const weights: Map<number, number>;
export function scale(samples: Float64Array): Float64Array {
  return samples.map((sample) => {
    const weight = weights.get(sample);
    if (weight === undefined) throw new Error("weights.get(sample) is undefined in the map callback in scale (file.ts:4:43)");
    return sample * weight;
  });
}
` }] }] },

{ code: `
declare const ranks: Map<string, number>;
export function byRank(names: string[]): string[] {
  return names.sort((a, b) => ranks.get(a)! - ranks.get(b)!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 31, data: { expression: "ranks.get(a)", hotPath: "inside a `sort` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const ranks: Map<string, number>;
export function byRank(names: string[]): string[] {
  return names.sort((a, b) => {
    const rank = ranks.get(a);
    if (rank === undefined) throw new Error("ranks.get(a) is undefined in the sort callback in byRank (file.ts:4:31)");
    return rank - ranks.get(b)!;
  });
}
` }] },
{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 47, data: { expression: "ranks.get(b)", hotPath: "inside a `sort` callback at line 4, which runs once per element" }, suggestions: [] }] },

{ code: `
declare const prices: Map<string, number>;
export function sum(skus: Set<string>): number {
  let total = 0;
  skus.forEach((sku) => {
    total += prices.get(sku)!;
  });
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 14, data: { expression: "prices.get(sku)", hotPath: "inside a `forEach` callback at line 5, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const prices: Map<string, number>;
export function sum(skus: Set<string>): number {
  let total = 0;
  skus.forEach((sku) => {
    const price = prices.get(sku);
    if (price === undefined) throw new Error("prices.get(sku) is undefined in the forEach callback in sum (file.ts:6:14)");
    total += price;
  });
  return total;
}
` }] }] },

{ code: `
import type { IncomingMessage, ServerResponse } from 'node:http';
declare const prices: Map<string, number>;
export function priceHandler(req: IncomingMessage, res: ServerResponse): void {
  res.end(String(prices.get(req.url ?? '')!));
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 18, data: { expression: "prices.get(req.url ?? '')", hotPath: "in `priceHandler` (line 4), a request handler: it takes a node:http request and its response" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import type { IncomingMessage, ServerResponse } from 'node:http';
declare const prices: Map<string, number>;
export function priceHandler(req: IncomingMessage, res: ServerResponse): void {
  const price = prices.get(req.url ?? '');
  if (price === undefined) throw new Error("prices.get(req.url ?? '') is undefined in priceHandler (file.ts:5:18)");
  res.end(String(price));
}
` }] }] },

{ code: `
import { createServer } from 'node:http';
export const server = createServer((req, res) => {
  const url = new URL(req.headers.referer!);
  res.end(url.pathname);
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 23, data: { expression: "req.headers.referer", hotPath: "in a request handler registered at line 3 (node:http)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { createServer } from 'node:http';
export const server = createServer((req, res) => {
  const referer = req.headers.referer;
  if (referer === undefined) throw new Error('req.headers.referer is undefined in the createServer callback (file.ts:4:23)');
  const url = new URL(referer);
  res.end(url.pathname);
});
` }] }] },

{ code: `
import { createServer } from 'node:http';
const server = createServer();
server.on('request', (req, res) => {
  res.end(req.headers.host!.toLowerCase());
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 11, data: { expression: "req.headers.host", hotPath: "in a request handler registered at line 4 (node:http)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { createServer } from 'node:http';
const server = createServer();
server.on('request', (req, res) => {
  const host = req.headers.host;
  if (host === undefined) throw new Error("req.headers.host is undefined in the 'request' listener (file.ts:5:11)");
  res.end(host.toLowerCase());
});
` }] }] },

{ code: `
import { createServer, type Socket } from 'node:net';
declare const handlers: Map<string, (chunk: Buffer) => void>;
export const server = createServer((socket: Socket) => {
  socket.on('data', (chunk) => {
    handlers.get(chunk.toString('hex', 0, 1))!(chunk);
  });
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 5, data: { expression: "handlers.get(chunk.toString('hex', 0, 1))", hotPath: "in a 'data' handler registered at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { createServer, type Socket } from 'node:net';
declare const handlers: Map<string, (chunk: Buffer) => void>;
export const server = createServer((socket: Socket) => {
  socket.on('data', (chunk) => {
    const handler = handlers.get(chunk.toString('hex', 0, 1));
    if (handler === undefined) throw new Error("handlers.get(chunk.toString('hex', 0, 1)) is undefined in the 'data' listener in the createServer callback (file.ts:6:5)");
    handler(chunk);
  });
});
` }] }] },

{ code: `
import { EventEmitter } from 'node:events';
declare const routes: Map<string, string>;
export const bus = new EventEmitter();
bus.on('message', (topic: string) => {
  console.log(routes.get(topic)!);
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 15, data: { expression: "routes.get(topic)", hotPath: "in a 'message' handler registered at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { EventEmitter } from 'node:events';
declare const routes: Map<string, string>;
export const bus = new EventEmitter();
bus.on('message', (topic: string) => {
  const route = routes.get(topic);
  if (route === undefined) throw new Error("routes.get(topic) is undefined in the 'message' listener (file.ts:6:15)");
  console.log(route);
});
` }] }] },

{ code: `
declare const channels: Map<string, string>;
export function listen(url: string): WebSocket {
  const socket = new WebSocket(url);
  socket.onmessage = (event: MessageEvent<string>) => {
    console.log(channels.get(event.data)!);
  };
  return socket;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 17, data: { expression: "channels.get(event.data)", hotPath: "in a 'message' handler registered at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const channels: Map<string, string>;
export function listen(url: string): WebSocket {
  const socket = new WebSocket(url);
  socket.onmessage = (event: MessageEvent<string>) => {
    const channel = channels.get(event.data);
    if (channel === undefined) throw new Error("channels.get(event.data) is undefined in the onmessage handler in listen (file.ts:6:17)");
    console.log(channel);
  };
  return socket;
}
` }] }] },

{ code: `
import express from 'express';
declare const orders: Map<string, { total: number }>;
const app = express();
app.get('/orders/:id', (req, res) => {
  res.json(orders.get(req.params.id)!.total);
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 12, data: { expression: "orders.get(req.params.id)", hotPath: "in a request handler registered at line 5 (express)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import express from 'express';
declare const orders: Map<string, { total: number }>;
const app = express();
app.get('/orders/:id', (req, res) => {
  const order = orders.get(req.params.id);
  if (order === undefined) throw new Error('orders.get(req.params.id) is undefined in the GET /orders/:id handler (file.ts:6:12)');
  res.json(order.total);
});
` }] }] },

{ code: `
import Koa from 'koa';
declare const sessions: Map<string, string>;
const app = new Koa();
app.use(async (ctx) => {
  ctx.body = sessions.get(ctx.path)!;
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 14, data: { expression: "sessions.get(ctx.path)", hotPath: "in a request handler registered at line 5 (koa)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import Koa from 'koa';
declare const sessions: Map<string, string>;
const app = new Koa();
app.use(async (ctx) => {
  const session = sessions.get(ctx.path);
  if (session === undefined) throw new Error('sessions.get(ctx.path) is undefined in the use callback (file.ts:6:14)');
  ctx.body = session;
});
` }] }] },

{ code: `
import Fastify from 'fastify';
declare const users: Map<string, string>;
const app = Fastify();
app.get('/users', async (request) => {
  return users.get(request.url)!.toUpperCase();
});
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 10, data: { expression: "users.get(request.url)", hotPath: "in a request handler registered at line 5 (fastify)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import Fastify from 'fastify';
declare const users: Map<string, string>;
const app = Fastify();
app.get('/users', async (request) => {
  const user = users.get(request.url);
  if (user === undefined) throw new Error('users.get(request.url) is undefined in the GET /users handler (file.ts:6:10)');
  return user.toUpperCase();
});
` }] }] },

{ code: `
import { Hono } from 'hono';
declare const users: Map<string, string>;
const app = new Hono();
app.get('/users/:id', (c) => c.text(users.get(c.req.param('id'))!));
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 37, data: { expression: "users.get(c.req.param('id'))", hotPath: "in a request handler registered at line 5 (hono)" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { Hono } from 'hono';
declare const users: Map<string, string>;
const app = new Hono();
app.get('/users/:id', (c) => {
  const user = users.get(c.req.param('id'));
  if (user === undefined) throw new Error("users.get(c.req.param('id')) is undefined in the GET /users/:id handler (file.ts:5:37)");
  return c.text(user);
});
` }] }] },

{ code: `
declare const stock: Map<string, number>;
export async function GET(request: Request): Promise<Response> {
  const sku = new URL(request.url).searchParams.get('sku')!;
  return Response.json(stock.get(sku) ?? 0);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 15, data: { expression: "new URL(request.url).searchParams.get('sku')", hotPath: "in a Next.js route handler exported at line 3" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const stock: Map<string, number>;
export async function GET(request: Request): Promise<Response> {
  const sku = new URL(request.url).searchParams.get('sku');
  if (sku === null) throw new Error("new URL(request.url).searchParams.get('sku') is null in GET (file.ts:4:15)");
  return Response.json(stock.get(sku) ?? 0);
}
` }] }] },

{ code: `
declare const cache: Map<string, { name: string }>;
/** @hot */
export function label(key: string): string {
  return \`label: \${cache.get(key)!.name}\`;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 20, data: { expression: "cache.get(key)", hotPath: "in `label`, marked @hot at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const cache: Map<string, { name: string }>;
/** @hot */
export function label(key: string): string {
  const cacheValue = cache.get(key);
  if (cacheValue === undefined) throw new Error("cache.get(key) is undefined in label (file.ts:5:20)");
  return \`label: \${cacheValue.name}\`;
}
` }] }] },

{ code: `
declare const prices: Map<string, number>;
function priceOf(sku: string): number {
  return prices.get(sku)!;
}
export function total(skus: string[]): number {
  let sum = 0;
  for (const sku of skus) sum += priceOf(sku);
  return sum;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 10, data: { expression: "prices.get(sku)", hotPath: "in `priceOf` (line 3), called at line 8 inside a `for…of` loop at line 8" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const prices: Map<string, number>;
function priceOf(sku: string): number {
  const price = prices.get(sku);
  if (price === undefined) throw new Error("prices.get(sku) is undefined in priceOf (file.ts:4:10)");
  return price;
}
export function total(skus: string[]): number {
  let sum = 0;
  for (const sku of skus) sum += priceOf(sku);
  return sum;
}
` }] }] },

{ code: `
interface Reply { value?: { error?: { issues: string[] } } }
export function countIssues(replies: Reply[]): number {
  let count = 0;
  for (const reply of replies) {
    count += reply.value!.error!.issues.length;
  }
  return count;
}
`,
  errors: [{
      messageId: 'nonNullAssertionChainInHotPath', line: 6, column: 14, data: { expression: "reply.value", hotPath: "inside a `for…of` loop at line 5", others: 'as does the `!` after it', chain: 'reply.value!.error!' }, suggestions: [{ messageId: 'throwMissingValues', data: { chain: 'reply.value!.error!' }, output: `
interface Reply { value?: { error?: { issues: string[] } } }
export function countIssues(replies: Reply[]): number {
  let count = 0;
  for (const reply of replies) {
    const value = reply.value;
    if (value === undefined) throw new Error("reply.value is undefined in countIssues (file.ts:6:14)");
    const error = value.error;
    if (error === undefined) throw new Error("reply.value.error is undefined in countIssues (file.ts:6:14)");
    count += error.issues.length;
  }
  return count;
}
` }] }] },

{ code: `
interface Link { next?: Link; label?: string }
export function labels(links: Link[]): string[] {
  return links.map((link) => link.next!.next!.label!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionChainInHotPath', line: 4, column: 30, data: { expression: "link.next", hotPath: "inside a `map` callback at line 4, which runs once per element", others: 'as do the 2 `!` after it', chain: 'link.next!.next!.label!' }, suggestions: [{ messageId: 'throwMissingValues', data: { chain: 'link.next!.next!.label!' }, output: `
interface Link { next?: Link; label?: string }
export function labels(links: Link[]): string[] {
  return links.map((link) => {
    const next = link.next;
    if (next === undefined) throw new Error("link.next is undefined in the map callback in labels (file.ts:4:30)");
    const next2 = next.next;
    if (next2 === undefined) throw new Error("link.next.next is undefined in the map callback in labels (file.ts:4:30)");
    const label = next2.label;
    if (label === undefined) throw new Error("link.next.next.label is undefined in the map callback in labels (file.ts:4:30)");
    return label;
  });
}
` }] }] },

{ code: `
interface Order { customer?: { email?: string } }
export function emails(orders: Order[]): string[] {
  const result: string[] = [];
  for (const order of orders) {
    const email = order.customer!.email!;
    result.push(email);
  }
  return result;
}
`,
  errors: [{
      messageId: 'nonNullAssertionChainInHotPath', line: 6, column: 19, data: { expression: "order.customer", hotPath: "inside a `for…of` loop at line 5", others: 'as does the `!` after it', chain: 'order.customer!.email!' }, suggestions: [{ messageId: 'throwMissingValues', data: { chain: 'order.customer!.email!' }, output: `
interface Order { customer?: { email?: string } }
export function emails(orders: Order[]): string[] {
  const result: string[] = [];
  for (const order of orders) {
    const customer = order.customer;
    if (customer === undefined) throw new Error("order.customer is undefined in emails (file.ts:6:19)");
    const email = customer.email;
    if (email === undefined) throw new Error("order.customer.email is undefined in emails (file.ts:6:19)");
    result.push(email);
  }
  return result;
}
` }] }] },

{ options: [{"coldFunctions":[]}], code: `
declare const cache: Map<string, string>;
export function migrateUsers(ids: string[]): void {
  for (const id of ids) console.log(cache.get(id)!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 37, data: { expression: "cache.get(id)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const cache: Map<string, string>;
export function migrateUsers(ids: string[]): void {
  for (const id of ids) {
    const cacheValue = cache.get(id);
    if (cacheValue === undefined) throw new Error("cache.get(id) is undefined in migrateUsers (file.ts:4:37)");
    console.log(cacheValue);
  }
}
` }] }] },

{ options: [{"hotFunctions":["handle*"]}], code: `
declare const cache: Map<string, string>;
export function handleLookup(key: string): string {
  return cache.get(key)!;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 10, data: { expression: "cache.get(key)", hotPath: "in `handleLookup` (line 3), which matches the hotFunctions pattern `handle*`" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const cache: Map<string, string>;
export function handleLookup(key: string): string {
  const cacheValue = cache.get(key);
  if (cacheValue === undefined) throw new Error("cache.get(key) is undefined in handleLookup (file.ts:4:10)");
  return cacheValue;
}
` }] }] },

{ options: [{"hotFunctions":["OrderService.*"]}], code: `
declare const cache: Map<string, string>;
export class OrderService {
  load(key: string): string {
    return cache.get(key)!;
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 12, data: { expression: "cache.get(key)", hotPath: "in `OrderService.load` (line 4), which matches the hotFunctions pattern `OrderService.*`" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const cache: Map<string, string>;
export class OrderService {
  load(key: string): string {
    const cacheValue = cache.get(key);
    if (cacheValue === undefined) throw new Error("cache.get(key) is undefined in OrderService.load (file.ts:5:12)");
    return cacheValue;
  }
}
` }] }] },

{ code: `
declare const lookup: Map<string, string>;
export function inner(groups: string[][]): string[][] {
  const out: string[][] = [];
  for (const group of groups) {
    out.push(group.map((item) => lookup.get(item)!));
  }
  return out;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 34, data: { expression: "lookup.get(item)", hotPath: "inside a `map` callback at line 6, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const lookup: Map<string, string>;
export function inner(groups: string[][]): string[][] {
  const out: string[][] = [];
  for (const group of groups) {
    out.push(group.map((item) => {
      const lookupValue = lookup.get(item);
      if (lookupValue === undefined) throw new Error("lookup.get(item) is undefined in the map callback in inner (file.ts:6:34)");
      return lookupValue;
    }));
  }
  return out;
}
` }] }] },

{ code: `
declare const lookup: Map<string, string>;
export function immediate(keys: string[]): void {
  for (const key of keys) {
    (() => {
      console.log(lookup.get(key)!);
    })();
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 19, data: { expression: "lookup.get(key)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const lookup: Map<string, string>;
export function immediate(keys: string[]): void {
  for (const key of keys) {
    (() => {
      const lookupValue = lookup.get(key);
      if (lookupValue === undefined) throw new Error("lookup.get(key) is undefined in an anonymous function in immediate (file.ts:6:19)");
      console.log(lookupValue);
    })();
  }
}
` }] }] },

{ code: `
interface Node { next?: { value?: string } }
export function values(nodes: (Node | undefined)[]): void {
  for (const node of nodes) {
    console.log(node?.next!.value);
    console.log(node?.next?.value!);
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 17, data: { expression: "node?.next", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [] },
{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 17, data: { expression: "node?.next?.value", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
interface Node { next?: { value?: string } }
export function values(nodes: (Node | undefined)[]): void {
  for (const node of nodes) {
    console.log(node?.next!.value);
    const value = node?.next?.value;
    if (value === undefined) throw new Error("node?.next?.value is undefined in values (file.ts:6:17)");
    console.log(value);
  }
}
` }] }] },

{ code: `
declare const groups: Map<string, string[]>;
export function regroup(words: string[]): void {
  for (const word of words) {
    if (groups.has(word)) {
      groups.delete(word);
      groups.get(word)!.push(word);
    }
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 7, column: 7, data: { expression: "groups.get(word)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const groups: Map<string, string[]>;
export function regroup(words: string[]): void {
  for (const word of words) {
    if (groups.has(word)) {
      groups.delete(word);
      const group = groups.get(word);
      if (group === undefined) throw new Error("groups.get(word) is undefined in regroup (file.ts:7:7)");
      group.push(word);
    }
  }
}
` }] }] },

{ code: `
declare const groups: Map<string, string[]>;
export async function regroupLater(words: string[]): Promise<void> {
  for (const word of words) {
    if (!groups.has(word)) continue;
    await Promise.resolve();
    groups.get(word)!.push(word);
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 7, column: 5, data: { expression: "groups.get(word)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const groups: Map<string, string[]>;
export async function regroupLater(words: string[]): Promise<void> {
  for (const word of words) {
    if (!groups.has(word)) continue;
    await Promise.resolve();
    const group = groups.get(word);
    if (group === undefined) throw new Error("groups.get(word) is undefined in regroupLater (file.ts:7:5)");
    group.push(word);
  }
}
` }] }] },

{ code: `
export function sumAll(values: number[]): number {
  let total = 0;
  for (let i = 0; i <= values.length; i++) total += values[i]!;
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 53, data: { expression: "values[i]", hotPath: "inside a `for` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function sumAll(values: number[]): number {
  let total = 0;
  for (let i = 0; i <= values.length; i++) {
    const value = values[i];
    if (value === undefined) throw new Error("values[i] is undefined in sumAll (file.ts:4:53)");
    total += value;
  }
  return total;
}
` }] }] },

{ code: `
export function sumSparse(values: (number | undefined)[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 52, data: { expression: "values[i]", hotPath: "inside a `for` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function sumSparse(values: (number | undefined)[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined) throw new Error("values[i] is undefined in sumSparse (file.ts:4:52)");
    total += value;
  }
  return total;
}
` }] }] },

{ code: `
declare const stock: Map<string, number>;
export function available(skus: string[]): number | Error {
  let total = 0;
  for (const sku of skus) total += stock.get(sku)!;
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 36, data: { expression: "stock.get(sku)", hotPath: "inside a `for…of` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const stock: Map<string, number>;
export function available(skus: string[]): number | Error {
  let total = 0;
  for (const sku of skus) {
    const stockValue = stock.get(sku);
    if (stockValue === undefined) throw new Error("stock.get(sku) is undefined in available (file.ts:5:36)");
    total += stockValue;
  }
  return total;
}
` }, { messageId: 'returnMissingValue', output: `
declare const stock: Map<string, number>;
export function available(skus: string[]): number | Error {
  let total = 0;
  for (const sku of skus) {
    const stockValue = stock.get(sku);
    if (stockValue === undefined) return new Error("stock.get(sku) is undefined in available (file.ts:5:36)");
    total += stockValue;
  }
  return total;
}
` }] }] },

{ code: `
import { err, ok, type Result } from 'neverthrow';
declare const stock: Map<string, number>;
export function availableResult(skus: string[]): Result<number, Error> {
  let total = 0;
  for (const sku of skus) {
    const count = stock.get(sku)!;
    total += count;
  }
  return total > 0 ? ok(total) : err(new Error('empty'));
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 7, column: 19, data: { expression: "stock.get(sku)", hotPath: "inside a `for…of` loop at line 6" }, suggestions: [{ messageId: 'throwMissingValue', output: `
import { err, ok, type Result } from 'neverthrow';
declare const stock: Map<string, number>;
export function availableResult(skus: string[]): Result<number, Error> {
  let total = 0;
  for (const sku of skus) {
    const count = stock.get(sku);
    if (count === undefined) throw new Error('stock.get(sku) is undefined in availableResult (file.ts:7:19)');
    total += count;
  }
  return total > 0 ? ok(total) : err(new Error('empty'));
}
` }, { messageId: 'returnMissingValue', output: `
import { err, ok, type Result } from 'neverthrow';
declare const stock: Map<string, number>;
export function availableResult(skus: string[]): Result<number, Error> {
  let total = 0;
  for (const sku of skus) {
    const count = stock.get(sku);
    if (count === undefined) return err(new Error('stock.get(sku) is undefined in availableResult (file.ts:7:19)'));
    total += count;
  }
  return total > 0 ? ok(total) : err(new Error('empty'));
}
` }] }] },

{ code: `
declare const cache: Map<string, number>;
export function pick(keys: string[], fresh: boolean): number {
  let total = 0;
  for (const key of keys) total += fresh ? cache.get(key)! : 0;
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 44, data: { expression: "cache.get(key)", hotPath: "inside a `for…of` loop at line 5" }, suggestions: [] }] },

{ code: `
declare const cache: Map<string, number>;
export function pickReady(keys: string[], ready: boolean): void {
  for (const key of keys) console.log(ready && cache.get(key)!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 48, data: { expression: "cache.get(key)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [] }] },

{ code: `
declare const cache: Map<string, number>;
export function logSome(keys: string[]): void {
  for (const key of keys) if (key.length > 2) console.log(cache.get(key)!);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 59, data: { expression: "cache.get(key)", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const cache: Map<string, number>;
export function logSome(keys: string[]): void {
  for (const key of keys) if (key.length > 2) {
    const cacheValue = cache.get(key);
    if (cacheValue === undefined) throw new Error("cache.get(key) is undefined in logSome (file.ts:4:59)");
    console.log(cacheValue);
  }
}
` }] }] },

{ code: `
export function first(rows: (string | undefined)[][]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const cell = row[0];
    out.push(cell!);
  }
  return out;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 14, data: { expression: "cell", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function first(rows: (string | undefined)[][]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const cell = row[0];
    if (cell === undefined) throw new Error("cell is undefined in first (file.ts:6:14)");
    out.push(cell);
  }
  return out;
}
` }] }] },

{ code: `
declare function findParent(id: string): { id: string } | null;
export function parents(ids: string[]): string[] {
  return ids.map((id) => findParent(id)!.id);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 26, data: { expression: "findParent(id)", hotPath: "inside a `map` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare function findParent(id: string): { id: string } | null;
export function parents(ids: string[]): string[] {
  return ids.map((id) => {
    const parent = findParent(id);
    if (parent === null) throw new Error("findParent(id) is null in the map callback in parents (file.ts:4:26)");
    return parent.id;
  });
}
` }] }] },

{ code: `
declare function findChild(id: string): { id: string } | null | undefined;
export function children(ids: string[]): string[] {
  return ids.map((id) => findChild(id)!.id + findChild(id)!.id);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 26, data: { expression: "findChild(id)", hotPath: "inside a `map` callback at line 4, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare function findChild(id: string): { id: string } | null | undefined;
export function children(ids: string[]): string[] {
  return ids.map((id) => {
    const child = findChild(id);
    if (child == null) throw new Error("findChild(id) is missing in the map callback in children (file.ts:4:26)");
    return child.id + findChild(id)!.id;
  });
}
` }] },
{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 46, data: { expression: "findChild(id)", hotPath: "inside a `map` callback at line 4, which runs once per element" }, suggestions: [] }] },

{ code: `
declare const prices: Map<string, number>;
export function other(skus: string[], fallback: string): number {
  let total = 0;
  for (const sku of skus) {
    if (prices.has(fallback)) total += prices.get(sku)!;
  }
  return total;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 40, data: { expression: "prices.get(sku)", hotPath: "inside a `for…of` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
declare const prices: Map<string, number>;
export function other(skus: string[], fallback: string): number {
  let total = 0;
  for (const sku of skus) {
    if (prices.has(fallback)) {
      const price = prices.get(sku);
      if (price === undefined) throw new Error("prices.get(sku) is undefined in other (file.ts:6:40)");
      total += price;
    }
  }
  return total;
}
` }] }] },

{ code: `
declare const cache: Map<string, number>;
declare let calls: number;
export function countCalls(keys: string[]): number[] {
  const out: number[] = [];
  for (const key of keys) out.push(calls++, cache.get(key)!);
  return out;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 45, data: { expression: "cache.get(key)", hotPath: "inside a `for…of` loop at line 6" }, suggestions: [] }] },

{ code: `
const kSeen = Symbol('seen');
export function decorate(documents: { [kSeen]?: string[] }[]): void {
  for (const document of documents) {
    if (!document[kSeen]) {
      console.log('first visit');
    }
    document[kSeen]!.push('seen');
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 8, column: 5, data: { expression: "document[kSeen]", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
const kSeen = Symbol('seen');
export function decorate(documents: { [kSeen]?: string[] }[]): void {
  for (const document of documents) {
    if (!document[kSeen]) {
      console.log('first visit');
    }
    const documentValue = document[kSeen];
    if (documentValue === undefined) throw new Error('document[kSeen] is undefined in decorate (file.ts:8:5)');
    documentValue.push('seen');
  }
}
` }] }] },

{ code: `
export function parameterValues(query: string): string[] {
  const values: string[] = [];
  for (const part of query.split('&')) {
    values.push(part.split('=', 2)[1]!);
  }
  return values;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 17, data: { expression: "part.split('=', 2)[1]", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function parameterValues(query: string): string[] {
  const values: string[] = [];
  for (const part of query.split('&')) {
    const value = part.split('=', 2)[1];
    if (value === undefined) throw new Error("part.split('=', 2)[1] is undefined in parameterValues (file.ts:5:17)");
    values.push(value);
  }
  return values;
}
` }] }] },

{ code: `
interface Callback { runAt: number; key: number }
export function runCallbacks(callbackList: Callback[], later: Callback[], timestamp: number): Callback[] {
  const callbacksToRun: Callback[] = [];
  while (true) {
    const first = later[0];
    if (!first || first.runAt > timestamp) {
      break;
    }
    callbacksToRun.push(callbackList.shift()!);
  }
  return callbacksToRun;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 10, column: 25, data: { expression: "callbackList.shift()", hotPath: "inside a `while` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
interface Callback { runAt: number; key: number }
export function runCallbacks(callbackList: Callback[], later: Callback[], timestamp: number): Callback[] {
  const callbacksToRun: Callback[] = [];
  while (true) {
    const first = later[0];
    if (!first || first.runAt > timestamp) {
      break;
    }
    const callbackListValue = callbackList.shift();
    if (callbackListValue === undefined) throw new Error("callbackList.shift() is undefined in runCallbacks (file.ts:10:25)");
    callbacksToRun.push(callbackListValue);
  }
  return callbacksToRun;
}
` }] }] },

{ code: `
interface StateEvent { getType(): string; getStateKey(): string }
export class RoomState {
  events = new Map<string, Map<string, StateEvent>>();
  unknown(events: StateEvent[]): StateEvent[] {
    return events.filter((event) => !this.events.has(event.getType()) || !this.events.get(event.getStateKey())!.has(event.getStateKey()));
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 75, data: { expression: "this.events.get(event.getStateKey())", hotPath: "inside a `filter` callback at line 6, which runs once per element" }, suggestions: [] }] },

{ code: `
interface Action { execute(): Error | undefined; unsubscribe(): void }
export function flush(actions: Action[], action: Action, done: (last: Action) => void): void {
  do {
    action.execute();
  } while ((action = actions.shift()!));
  done(action);
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 6, column: 22, data: { expression: "actions.shift()", hotPath: "inside a `do…while` loop at line 4" }, suggestions: [] }] },

{ code: `
export function unionPattern(sources: (string | undefined)[], fallbacks: (string | undefined)[]): string | undefined {
  if (fallbacks.every(Boolean)) return sources.map((s) => s!.trim()).join('|');
  return undefined;
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 3, column: 59, data: { expression: "s", hotPath: "inside a `map` callback at line 3, which runs once per element" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function unionPattern(sources: (string | undefined)[], fallbacks: (string | undefined)[]): string | undefined {
  if (fallbacks.every(Boolean)) return sources.map((s) => {
    if (s === undefined) throw new Error('s is undefined in the map callback in unionPattern (file.ts:3:59)');
    return s.trim();
  }).join('|');
  return undefined;
}
` }] }] },

{ code: `
export function trpcPath(resource: string, parameters: Record<string, string>): string {
  const matches = resource.matchAll(/\\{(.*?)\\}(?:\\.(\\w+))?/g);
  for (const match of matches) {
    const group = match[2]!;
    if (group.includes('+')) return parameters[group.replace('+', '')] ?? '';
  }
  return '';
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 5, column: 19, data: { expression: "match[2]", hotPath: "inside a `for…of` loop at line 4" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function trpcPath(resource: string, parameters: Record<string, string>): string {
  const matches = resource.matchAll(/\\{(.*?)\\}(?:\\.(\\w+))?/g);
  for (const match of matches) {
    const group = match[2];
    if (group === undefined) throw new Error('match[2] is undefined in trpcPath (file.ts:5:19)');
    if (group.includes('+')) return parameters[group.replace('+', '')] ?? '';
  }
  return '';
}
` }] }] },

{ code: `
export class MediaHandler {
  private audioInput = '';
  remember(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      const settings = track.getSettings();
      if (track.kind === 'audio') {
        this.audioInput = settings.deviceId!;
      }
    }
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 8, column: 27, data: { expression: "settings.deviceId", hotPath: "inside a `for…of` loop at line 5" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export class MediaHandler {
  private audioInput = '';
  remember(stream: MediaStream): void {
    for (const track of stream.getTracks()) {
      const settings = track.getSettings();
      if (track.kind === 'audio') {
        const deviceId = settings.deviceId;
        if (deviceId === undefined) throw new Error('settings.deviceId is undefined in MediaHandler.remember (file.ts:8:27)');
        this.audioInput = deviceId;
      }
    }
  }
}
` }] }] },

{ code: `
interface Feed { stream: MediaStream }
export class Call {
  localUsermediaFeed?: Feed;
  replaceTracks(stream: MediaStream, feed: Feed | undefined): void {
    for (const track of this.localUsermediaFeed!.stream.getTracks()) {
      this.localUsermediaFeed = feed;
      this.localUsermediaFeed!.stream.removeTrack(track);
    }
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 8, column: 7, data: { expression: "this.localUsermediaFeed", hotPath: "inside a `for…of` loop at line 6" }, suggestions: [{ messageId: 'throwMissingValue', output: `
interface Feed { stream: MediaStream }
export class Call {
  localUsermediaFeed?: Feed;
  replaceTracks(stream: MediaStream, feed: Feed | undefined): void {
    for (const track of this.localUsermediaFeed!.stream.getTracks()) {
      this.localUsermediaFeed = feed;
      const localUsermediaFeed = this.localUsermediaFeed;
      if (localUsermediaFeed === undefined) throw new Error("this.localUsermediaFeed is undefined in Call.replaceTracks (file.ts:8:7)");
      localUsermediaFeed.stream.removeTrack(track);
    }
  }
}
` }] }] },

{ code: `
export function derived(computes: { [key: string]: (() => number) | undefined }, table: Record<string, number>): void {
  for (const key in computes) {
    const compute = computes[key]!;
    table[key] = compute();
  }
}
`,
  errors: [{
      messageId: 'nonNullAssertionInHotPath', line: 4, column: 21, data: { expression: "computes[key]", hotPath: "inside a `for…in` loop at line 3" }, suggestions: [{ messageId: 'throwMissingValue', output: `
export function derived(computes: { [key: string]: (() => number) | undefined }, table: Record<string, number>): void {
  for (const key in computes) {
    const compute = computes[key];
    if (compute === undefined) throw new Error("computes[key] is undefined in derived (file.ts:4:21)");
    table[key] = compute();
  }
}
` }] }] },
  ],
});

// Without type information the rule cannot tell a hot path or a nullable type, so it stays silent.
createUntypedRuleTester().run('no-non-null-assertion-in-hot-path (no type information)', rule, {
  valid: [
    `for (const key of keys) console.log(cache.get(key)!);`,
    `items.map((item) => lookup.get(item)!);`,
    { code: 'for (const key of keys) console.log(cache.get(key));', filename: 'file.js' },
  ],
  invalid: [],
});
