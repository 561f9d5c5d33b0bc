import { describe, expect, it } from 'vitest';

import rule from '../../rules/no-floating-without-abort.js';
import { lintExampleService } from '../example-service.js';
import { createTypedRuleTester } from '../rule-tester.js';

const prelude = `import { setTimeout as sleep, setInterval as every } from 'node:timers/promises';
import { createServer } from 'node:http';
interface Order { id: string; cents: number }
declare function track(event: string): Promise<void>;
declare function save(order: Order): Promise<void>;
declare function report(error: unknown): void;
`;

/** The billing story: a settlement poller that creates an invoice and polls for up to ten minutes. */
const settleInvoice = `export async function settleInvoice(order: Order): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const res = await fetch(\`https://payments.example/invoices/\${order.id}\`);
    if (res.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}
`;

createTypedRuleTester().run('no-floating-without-abort', rule, {
  valid: [
    {
      name: 'a bare floating call is no-floating-promises’ report; written as a detach it is judged here',
      code: `${prelude}
${settleInvoice}
export function checkout(order: Order) {
  settleInvoice(order);
}`,
    },
    {
      name: 'a floating fetch that gets the caller’s signal',
      code: `${prelude}
export function refresh(url: string, signal: AbortSignal) {
  void fetch(url, { signal });
}`,
    },
    {
      name: 'an awaited fetch without a signal outside a request handler (checkAwaited defaults to request handlers)',
      code: `${prelude}
export async function load(url: string, signal: AbortSignal) {
  return fetch(url).then((res) => res.json());
}`,
    },
    {
      name: 'floating work whose body does not wait: one write, then done',
      code: `${prelude}
async function flush(order: Order) {
  await save(order);
}
export function close(order: Order) {
  void flush(order);
}`,
    },
    {
      name: 'a floating library call whose body is out of sight and that takes no signal',
      code: `${prelude}
export function onClick() {
  void track('click');
  track('again').catch(report);
}`,
    },
    {
      name: 'test registrations of node:test float on purpose: the runner awaits them',
      code: `import { describe, it } from 'node:test';
export function suite() {
  describe('orders', () => {
    it('settles', async () => {
      await Promise.resolve();
    });
  });
}`,
    },
    {
      name: 'a module-level main().catch(): the work is the program, there is no caller to outlive',
      code: `${prelude}
async function main() {
  for (;;) {
    await sleep(1_000);
  }
}
main().catch(report);`,
    },
    {
      name: 'an async IIFE that checks the signal of its scope in its loop',
      code: `${prelude}
export function startPolling(signal: AbortSignal) {
  void (async () => {
    while (!signal.aborted) {
      await sleep(1_000, undefined, { signal });
    }
  })();
}`,
    },
    {
      name: 'a floating loop that stops on a flag its owner clears',
      code: `${prelude}
export class Poller {
  running = true;
  async #loop() {
    while (this.running) {
      await sleep(1_000);
    }
  }
  start() {
    void this.#loop();
  }
  stop() {
    this.running = false;
  }
}`,
    },
    {
      name: 'an endless loop that leaves when its owner’s signal aborts',
      code: `${prelude}
export class Worker {
  readonly #shutdown = new AbortController();
  async #run() {
    for (;;) {
      if (this.#shutdown.signal.aborted) return;
      await sleep(1_000);
    }
  }
  start() {
    void this.#run();
  }
}`,
    },
    {
      name: 'a promise kept in a field or a variable and awaited later does not float',
      code: `${prelude}
${settleInvoice}
export class Checkout {
  pending: Promise<void> | undefined;
  async begin(order: Order) {
    this.pending = settleInvoice(order);
    const other = settleInvoice(order);
    await other;
  }
}`,
    },
    {
      name: '`void` on values that are not promises',
      code: `${prelude}
declare function compute(): number;
export function f() {
  void 0;
  void compute();
}`,
    },
    {
      name: 'a short setTimeout and timers whose handles are kept',
      code: `${prelude}
export class Heartbeat {
  timer: ReturnType<typeof setInterval> | undefined;
  start(tick: () => void) {
    setTimeout(tick, 1_000);
    this.timer = setInterval(tick, 30_000);
    const late = setTimeout(tick, 60_000);
    return late;
  }
}`,
    },
    {
      name: 'a race whose work gets the signal and whose timer is cleared',
      code: `${prelude}
export async function fetchWithin(url: string, ms: number, signal: AbortSignal) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      fetch(url, { signal }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}`,
    },
    {
      name: 'a race against a short poll timer: left running, it ends within a blink',
      code: `${prelude}
declare const thread: { terminate(): Promise<number>; exited: boolean };
export async function stop() {
  const pollIntervalMs = 100;
  const terminated = thread.terminate();
  while (!thread.exited) {
    await Promise.race([terminated, sleep(pollIntervalMs)]);
  }
}`,
    },
    {
      name: 'a race against a timers/promises timeout that gets a signal',
      code: `${prelude}
export async function within(url: string, signal: AbortSignal) {
  const timeout = new AbortController();
  return Promise.race([fetch(url, { signal }), sleep(5_000, undefined, { signal: timeout.signal })]);
}`,
    },
    {
      name: 'a race of a stop that takes no signal against a fallback timer that is cleared',
      code: `${prelude}
declare const thread: { terminate(): Promise<number> };
export async function stop() {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([thread.terminate(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
}`,
    },
    {
      name: 'a queue that hands each job its signal owns the job',
      code: `${prelude}
declare const queue: { add<T>(job: (options: { signal: AbortSignal }) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T> };
export function enqueue(order: Order) {
  void queue.add(async ({ signal }) => {
    for (;;) await sleep(1_000, undefined, { signal });
  });
}`,
    },
    {
      name: 'a short timer in a helper and a one-request helper do not make the work long',
      code: `${prelude}
async function yieldToLoop() {
  await new Promise((resolve) => setTimeout(resolve, 0));
}
async function send(url: string) {
  await fetch(url);
}
async function notify(url: string) {
  await yieldToLoop();
  await send(url);
}
export function later(url: string) {
  void notify(url);
  void send(url);
}`,
    },
    {
      name: 'a retry loop that gives up in its catch is bounded by its give-up rule',
      code: `${prelude}
declare function backoffFor(error: unknown, attempt: number): number;
async function sendWithRetry(order: Order): Promise<void> {
  let attempt = 0;
  while (true) {
    try {
      return await save(order);
    } catch (error) {
      const backoff = backoffFor(error, ++attempt);
      if (backoff < 0) throw error;
      await sleep(backoff);
    }
  }
}
export function send(order: Order) {
  void sendWithRetry(order);
}`,
    },
    {
      name: 'a poller that checks a stop flag deep in its body, and one that checks a subscriber it was handed',
      code: `${prelude}
export class Refresher {
  #stopped = false;
  async #refresh(): Promise<void> {
    for (;;) {
      try {
        await track('refresh');
      } catch {
        if (this.#stopped) {
          report('stopped');
          return;
        }
      }
      await sleep(60_000);
    }
  }
  start() {
    void this.#refresh();
  }
  stop() {
    this.#stopped = true;
  }
}
async function pump(subscriber: { closed: boolean; next(value: string): void }) {
  while (!subscriber.closed) {
    subscriber.next('tick');
    await sleep(1_000);
  }
}
export function subscribe(subscriber: { closed: boolean; next(value: string): void }) {
  void pump(subscriber);
}`,
    },
    {
      name: 'a for await over a stream ends when the stream is closed',
      code: `${prelude}
async function consume(source: AsyncIterable<string>) {
  for await (const line of source) {
    await track(line);
  }
}
export function attach(source: AsyncIterable<string>) {
  void consume(source);
}`,
    },
    {
      name: 'a stream piped in the background ends with its source',
      code: `${prelude}
export function forward(source: ReadableStream<string>, sink: WritableStream<string>) {
  source.pipeTo(sink).catch(report);
}`,
    },
    {
      name: 'a library call that takes a signal, floating where no signal is in scope',
      code: `${prelude}
declare const peerStore: { patch(id: string, data: object, options?: { signal?: AbortSignal }): Promise<void> };
export function onAddress(id: string) {
  void peerStore.patch(id, { seen: Date.now() });
}`,
    },
    {
      name: 'work that ends the process when it settles is the program',
      code: `${prelude}
${settleInvoice}
export function startReplay(order: Order): void {
  settleInvoice(order).then(
    () => process.exit(0),
    () => process.exit(1),
  );
}`,
    },
    {
      name: 'an async IIFE inside a promise executor settles that promise',
      code: `${prelude}
export function retryForever<T>(work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    void (async () => {
      for (;;) {
        try {
          resolve(await work());
          return;
        } catch {
          await sleep(5_000);
        }
      }
    })();
  });
}`,
    },
    {
      name: 'a floating walk over a collection by index',
      code: `${prelude}
export function drain(items: Order[]) {
  void (async () => {
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (item !== undefined) await save(item);
    }
  })();
}`,
    },
    {
      name: 'a floating loop over a collection: it ends with the collection',
      code: `${prelude}
export function saveAll(orders: Order[]) {
  void (async () => {
    for (const order of orders) await save(order);
  })();
}`,
    },
    {
      name: 'a task owner the user declares takes the floating work',
      options: [{ taskOwners: ['track'] }],
      code: `${prelude}
${settleInvoice}
declare const tasks: { track(work: Promise<void>): Promise<void> };
export function checkout(order: Order) {
  void tasks.track(settleInvoice(order));
}`,
    },
    {
      name: 'a call the user allows',
      options: [{ allow: ['settleInvoice'] }],
      code: `${prelude}
${settleInvoice}
export function checkout(order: Order) {
  void settleInvoice(order);
}`,
    },
    {
      name: 'an async handler given to an emitter is the handler, not floating work',
      code: `${prelude}
${settleInvoice}
import { EventEmitter } from 'node:events';
export function listen(bus: EventEmitter) {
  bus.on('order', async (order: Order) => {
    await settleInvoice(order);
  });
}`,
    },
    {
      name: 'a signal that reaches the work through a destructured options object',
      code: `${prelude}
declare function poll(options: { signal?: AbortSignal; every: number }): Promise<void>;
export function watch({ signal }: { signal: AbortSignal }) {
  void poll({ signal, every: 1_000 });
}`,
    },
    {
      name: 'a signal combined with AbortSignal.any, and a fetch of a Request that owns one',
      code: `${prelude}
declare function poll(signal: AbortSignal): Promise<void>;
export function watch(request: Request, shutdown: AbortSignal) {
  void poll(AbortSignal.any([request.signal, shutdown]));
  void fetch(request);
}`,
    },
    {
      name: 'a thenable that is not a Promise, whose work is short',
      code: `${prelude}
class Job implements PromiseLike<void> {
  then<A = void, B = never>(onFulfilled?: ((value: void) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    return Promise.resolve().then(onFulfilled, onRejected);
  }
}
declare function schedule(): Job;
export function f() {
  void schedule();
}`,
    },
    {
      name: 'a wrapper that receives the signal with the work',
      code: `${prelude}
declare function withSignal(signal: AbortSignal, work: (signal: AbortSignal) => Promise<void>): Promise<void>;
export function run(signal: AbortSignal) {
  void withSignal(signal, async (inner) => {
    for (;;) await sleep(1_000, undefined, { signal: inner });
  });
}`,
    },
    {
      name: 'a for await over setInterval with a signal',
      code: `${prelude}
export function tick(signal: AbortSignal) {
  void (async () => {
    for await (const _ of every(1_000, undefined, { signal })) {
      await track('tick');
    }
  })();
}`,
    },
    {
      name: 'a floating call whose work checks an instance signal',
      code: `${prelude}
export class Sync {
  readonly controller = new AbortController();
  async #loop(url: string) {
    while (Date.now() > 0) {
      await fetch(url, { signal: this.controller.signal });
    }
  }
  start(url: string) {
    void this.#loop(url);
  }
}`,
    },
    {
      name: 'checkAwaited never: an awaited call in a handler is left alone',
      options: [{ checkAwaited: 'never' }],
      code: `${prelude}
export const server = createServer(async (req, res) => {
  const controller = new AbortController();
  req.on('close', () => controller.abort());
  await fetch('https://carrier.example/quote');
  res.end();
});`,
    },
  ],
  invalid: [
    {
      name: 'the billing story: the settlement poller started by checkout and never awaited',
      code: `${prelude}
${settleInvoice}
export function checkout(order: Order) {
  settleInvoice(order)
    .then(() => save(order))
    .catch(report);
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: '`settleInvoice(order)`', why: 'it polls in a loop (line 10) that waits on a timer' } }],
    },
    {
      name: 'a floating fetch while the caller has a signal: the suggestion passes it',
      code: `${prelude}
export function prefetch(url: string, signal: AbortSignal) {
  void fetch(url);
}`,
      errors: [
        {
          messageId: 'floatingTakesSignal',
          data: { work: '`fetch(url)`', place: 'option `signal`' },
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'signal' },
              output: `${prelude}
export function prefetch(url: string, signal: AbortSignal) {
  void fetch(url, { signal });
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a floating fetch with options and a controller in scope: the suggestion adds the property',
      code: `${prelude}
export function send(url: string) {
  const controller = new AbortController();
  fetch(url, { method: 'POST' }).catch(report);
  return controller;
}`,
      errors: [
        {
          messageId: 'floatingTakesSignal',
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'controller.signal' },
              output: `${prelude}
export function send(url: string) {
  const controller = new AbortController();
  fetch(url, { method: 'POST', signal: controller.signal }).catch(report);
  return controller;
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a floating fetch with no signal in scope: reported, no suggestion',
      code: `${prelude}
export function ping(url: string) {
  void fetch(url);
}`,
      errors: [{ messageId: 'floatingTakesSignal', suggestions: [] }],
    },
    {
      name: 'a floating timers/promises timer takes a signal too',
      code: `${prelude}
export function later() {
  void sleep(60_000).then(() => track('late'));
}`,
      errors: [{ messageId: 'floatingTakesSignal', data: { work: '`sleep(60_000)`', place: 'option `signal`' } }],
    },
    {
      name: 'the immortal task: a floating method with an endless loop that checks nothing',
      code: `${prelude}
export class Metrics {
  async #flushForever() {
    while (true) {
      await sleep(10_000);
      await track('flush');
    }
  }
  start() {
    void this.#flushForever();
  }
}`,
      errors: [{ messageId: 'immortalTask', data: { work: '`this.#flushForever()`', loop: '`while`', line: '10' } }],
    },
    {
      name: 'an async IIFE with for (;;) and no exit',
      code: `${prelude}
export function start() {
  void (async () => {
    for (;;) {
      await track('tick');
    }
  })();
}`,
      errors: [{ messageId: 'immortalTask', data: { work: 'the async function on line 9', loop: '`for`', line: '10' } }],
    },
    {
      name: 'a for await over setInterval without a signal never ends',
      code: `${prelude}
export function tick() {
  void (async () => {
    for await (const _ of every(1_000)) {
      await track('tick');
    }
  })();
}`,
      errors: [{ messageId: 'immortalTask', data: { work: 'the async function on line 9', loop: '`for await…of`', line: '10' } }],
    },
    {
      name: 'an endless loop with a throw is still endless: a throw is a failure, not an exit',
      code: `${prelude}
export function start() {
  (async () => {
    while (true) {
      const res = await fetch('https://queue.example/next', { signal: AbortSignal.timeout(30_000) });
      if (res.status >= 500) throw new Error('queue down');
    }
  })().catch(report);
}`,
      errors: [{ messageId: 'immortalTask' }],
    },
    {
      name: 'fan-out that floats: every callback fetches without a signal',
      code: `${prelude}
export function warm(urls: string[]) {
  void Promise.all(urls.map(async (url) => {
    const res = await fetch(url);
    return res.ok;
  }));
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: 'the callback on line 9', why: 'it calls `fetch(url)` (line 10) without the signal that call takes' } }],
    },
    {
      name: 'an array of floating promises from a map of a waiting helper',
      code: `${prelude}
${settleInvoice}
export function settleAll(orders: Order[]) {
  void orders.map((order) => settleInvoice(order));
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: 'the callback on line 18', why: 'it calls `settleInvoice` (line 18), where it polls in a loop (line 10) that waits on a timer' } }],
    },
    {
      name: 'a helper of a helper that waits on a timer',
      code: `${prelude}
async function backoff(attempt: number) {
  await new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 1_000));
}
async function retry(order: Order) {
  await save(order);
  await backoff(3);
  await save(order);
}
export function later(order: Order) {
  void retry(order);
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: '`retry(order)`', why: 'it calls `backoff` (line 13), where it waits on a timer (line 9)' } }],
    },
    {
      name: 'a then callback is work too',
      code: `${prelude}
${settleInvoice}
export function after(order: Order) {
  save(order).then(() => settleInvoice(order), report);
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: 'the callback on line 18', why: 'it calls `settleInvoice` (line 18), where it polls in a loop (line 10) that waits on a timer' } }],
    },
    {
      name: 'only one report for a statement whose works all float',
      code: `${prelude}
${settleInvoice}
export function both(order: Order) {
  void Promise.all([settleInvoice(order), settleInvoice(order)]);
}`,
      errors: [{ messageId: 'floatingUnstoppable' }],
    },
    {
      name: 'a dropped setInterval handle, also when unref’d',
      code: `${prelude}
export function watch(tick: () => void) {
  setInterval(tick, 1_000);
  setInterval(tick, 5_000).unref();
}`,
      errors: [{ messageId: 'discardedInterval', line: 9 }, { messageId: 'discardedInterval', line: 10 }],
    },
    {
      name: 'a dropped setTimeout handle with a long delay, folded through constants',
      code: `${prelude}
const TEN_MINUTES = 10 * 60 * 1_000;
export function expire(drop: () => void) {
  setTimeout(drop, TEN_MINUTES);
  setTimeout(drop, 15_000);
  globalThis.setTimeout(drop, 5 * 60_000);
}`,
      errors: [
        { messageId: 'discardedTimeout', data: { delay: '10 min' } },
        { messageId: 'discardedTimeout', data: { delay: '15 s' } },
        { messageId: 'discardedTimeout', data: { delay: '5 min' } },
      ],
    },
    {
      name: 'minDelayMs lowers the threshold',
      options: [{ minDelayMs: 1_000 }],
      code: `${prelude}
export function soon(drop: () => void) {
  setTimeout(drop, 2_000);
}`,
      errors: [{ messageId: 'discardedTimeout', data: { delay: '2 s' } }],
    },
    {
      name: 'the hidden timeout: the race ends, the work and the timer do not',
      code: `${prelude}
declare function isRendered(id: string): Promise<boolean>;
async function renderReport(id: string): Promise<string> {
  while (!(await isRendered(id))) await sleep(2_000);
  return id;
}
function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms));
}
export async function reportWithin(id: string) {
  return Promise.race([renderReport(id), timeout(5_000)]);
}`,
      errors: [
        { messageId: 'raceTimerNotCleared', data: { timerLine: 'line 14' } },
        {
          messageId: 'raceWithoutAbort',
          data: { work: 'renderReport(id)', timeoutLine: 'line 17', remedy: 'Give it a signal to pass on (`AbortSignal.timeout(ms)`), or stop what it started when the timeout wins.' },
        },
      ],
    },
    {
      name: 'a race whose timer handle is kept but never cleared, with a fetch that gets no signal',
      code: `${prelude}
export async function quote(url: string) {
  const work = fetch(url);
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout')), 10_000);
      void timer;
    }),
  ]);
}`,
      errors: [
        { messageId: 'raceWithoutAbort', data: { work: 'fetch(url)', timeoutLine: 'line 12', remedy: 'Pass it `AbortSignal.timeout(ms)` instead of racing a timer.' } },
        { messageId: 'raceTimerNotCleared', line: 13 },
      ],
    },
    {
      name: 'the preview story: a race of the encoder against a timers/promises timeout with a then',
      code: `${prelude}
import { once } from 'node:events';
import type { ChildProcess } from 'node:child_process';
async function exited(child: ChildProcess) {
  await once(child, 'close');
}
export async function render(encoder: ChildProcess) {
  await Promise.race([
    exited(encoder),
    sleep(60_000).then(() => {
      throw new Error('timed out');
    }),
  ]);
}`,
      errors: [{ messageId: 'raceWithoutAbort', line: 15 }, { messageId: 'raceTimerNotCleared', line: 16 }],
    },
    {
      name: 'a race against a timers/promises timeout without a signal',
      code: `${prelude}
export async function within(url: string, signal: AbortSignal) {
  return Promise.race([fetch(url, { signal }), sleep(5_000)]);
}`,
      errors: [{ messageId: 'raceTimerNotCleared', data: { timerLine: 'line 9' } }],
    },
    {
      name: 'signal not forwarded in a request handler, awaited',
      code: `${prelude}
export const server = createServer(async (req, res) => {
  const controller = new AbortController();
  req.on('close', () => controller.abort());
  const quote = await fetch('https://carrier.example/quote');
  res.end(await quote.text());
});`,
      errors: [
        {
          messageId: 'signalNotForwarded',
          data: { call: "fetch('https://carrier.example/quote')", place: 'option `signal`', signal: 'controller.signal' },
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'controller.signal' },
              output: `${prelude}
export const server = createServer(async (req, res) => {
  const controller = new AbortController();
  req.on('close', () => controller.abort());
  const quote = await fetch('https://carrier.example/quote', { signal: controller.signal });
  res.end(await quote.text());
});`,
            },
          ],
        },
      ],
    },
    {
      name: 'checkAwaited always: an awaited backoff sleep that ignores the function’s signal',
      options: [{ checkAwaited: 'always' }],
      code: `${prelude}
export async function retry(signal: AbortSignal) {
  await sleep(250, undefined);
  await sleep(500, undefined, { signal });
}`,
      errors: [
        {
          messageId: 'signalNotForwarded',
          suggestions: [
            {
              messageId: 'passSignal',
              output: `${prelude}
export async function retry(signal: AbortSignal) {
  await sleep(250, undefined, { signal });
  await sleep(500, undefined, { signal });
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a project’s fire-and-forget helper: what it is given floats',
      options: [{ detachHelpers: ['fireAndForget'] }],
      code: `${prelude}
${settleInvoice}
declare function fireAndForget(work: Promise<unknown> | (() => Promise<unknown>)): void;
export function checkout(order: Order) {
  fireAndForget(settleInvoice(order));
  fireAndForget(async () => {
    for (;;) await sleep(1_000);
  });
}`,
      errors: [{ messageId: 'floatingUnstoppable' }, { messageId: 'immortalTask' }],
    },
    {
      name: 'a library call that takes a signal, floating where the caller has one to give',
      code: `${prelude}
declare const peerStore: { patch(id: string, data: object, options?: { signal?: AbortSignal }): Promise<void> };
export function onAddress(id: string, signal: AbortSignal) {
  void peerStore.patch(id, { seen: Date.now() });
}`,
      errors: [
        {
          messageId: 'floatingTakesSignal',
          suggestions: [
            {
              messageId: 'passSignal',
              output: `${prelude}
declare const peerStore: { patch(id: string, data: object, options?: { signal?: AbortSignal }): Promise<void> };
export function onAddress(id: string, signal: AbortSignal) {
  void peerStore.patch(id, { seen: Date.now() }, { signal });
}`,
            },
          ],
        },
      ],
    },
    {
      name: 'a poller of the project that takes a signal, floated without one',
      code: `${prelude}
async function watch(signal?: AbortSignal) {
  while (!signal?.aborted) {
    await track('watch');
    await sleep(5_000);
  }
}
export function start() {
  void watch();
}`,
      errors: [{ messageId: 'floatingTakesSignal', data: { work: '`watch()`', place: 'parameter `signal`' }, suggestions: [] }],
    },
    {
      name: 'an async IIFE inside a promise executor that does not settle it still floats',
      code: `${prelude}
export function startTicking(): Promise<void> {
  return new Promise<void>((resolve) => {
    void (async () => {
      for (;;) await sleep(5_000);
    })();
    resolve();
  });
}`,
      errors: [{ messageId: 'immortalTask' }],
    },
    {
      name: 'a floating fs.promises call takes a signal',
      code: `${prelude}
import { readFile } from 'node:fs/promises';
export function preload(path: string) {
  void readFile(path, { encoding: 'utf8' });
}`,
      errors: [{ messageId: 'floatingTakesSignal', data: { work: "`readFile(path, { encoding: 'utf8' })`", place: 'option `signal`' } }],
    },
    {
      name: 'a floating retry loop whose condition depends only on local values',
      code: `${prelude}
export function deliver(order: Order) {
  void (async () => {
    let attempt = 0;
    while (attempt++ < 20) {
      const res = await fetch('https://hooks.example/order', { method: 'POST', body: order.id, signal: AbortSignal.timeout(10_000) });
      if (res.ok) return;
      await sleep(30_000);
    }
  })();
}`,
      errors: [{ messageId: 'floatingUnstoppable', data: { work: 'the async function on line 9', why: 'it polls in a loop (line 11) that waits on a timer' } }],
    },
  ],
});

describe('the example service', () => {
  it('finds the settlement story and the preview race, and nothing in the correct patterns', { timeout: 120_000 }, async () => {
    const found = await lintExampleService('no-floating-without-abort', rule);
    expect(found).toEqual(['src/server.ts:65 floatingUnstoppable', 'src/video.ts:73 raceWithoutAbort', 'src/video.ts:74 raceTimerNotCleared']);
  });
});
