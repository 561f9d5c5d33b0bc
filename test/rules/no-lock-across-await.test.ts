import rule from '../../rules/no-lock-across-await.js';
import { createTypedRuleTester } from '../rule-tester.js';

const repository = `import { Mutex, Semaphore, withTimeout, type MutexInterface } from 'async-mutex';
interface Order { id: string; total: number }
declare const repo: { fetch(id: string): Promise<Order>; save(order: Order): Promise<void> };
declare const kv: { get(key: string): Promise<number>; set(key: string, value: number): Promise<void> };
declare function appendFile(path: string, text: string): Promise<void>;
`;

const finallyRemedy = 'release it in a `finally` block, or use `runExclusive`';

createTypedRuleTester().run('no-lock-across-await', rule, {
  valid: [
    {
      name: 'what throws inside the finally before the release is not reported',
      code: `${repository}
declare const events: { publish(name: string): void };
const tokens = new Map<string, string>();
const single = new Semaphore(1);
export async function add(id: string, token: string) {
  const [, release] = await single.acquire();
  try {
    tokens.set(id, token);
  } finally {
    events.publish('changed');
    release();
  }
}`,
    },
    {
      name: 'a fetch between the check and the update of the state it guards, with no path that skips it: a read-modify-write',
      code: `${repository}
export class Rates {
  #rates = new Map<string, number>();
  readonly #mutex = new Mutex();
  async refresh(currency: string) {
    await this.#mutex.runExclusive(async () => {
      const previous = this.#rates.get(currency) ?? 0;
      const order = await repo.fetch(currency);
      this.#rates.set(currency, previous + order.total);
    });
  }
}`,
    },
    {
      name: 'a lock wrapper of the project: the operation it is given is the section',
      code: `${repository}
export class Wallet {
  #status = 'ready';
  readonly #lock = new Mutex();
  async #withLock<T>(status: string, operation: () => Promise<T>): Promise<T> {
    const release = await this.#lock.acquire();
    try {
      this.#status = status;
      return await operation();
    } finally {
      this.#status = 'ready';
      release();
    }
  }
  align() {
    return this.#withLock('aligning', async () => 1);
  }
}`,
    },
    {
      name: "a Mutex released outside finally: no-undisposed-resources reports its release function",
      code: `${repository}
const mutex = new Mutex();
export async function increment(key: string) {
  const release = await mutex.acquire();
  const value = await kv.get(key);
  await kv.set(key, value + 1);
  release();
}`,
    },
    {
      name: 'nested sections on different locks in sync callbacks: nothing is awaited while held',
      code: `${repository}
const a = new Map<string, number>();
const first = new Mutex();
const second = new Mutex();
export async function touch(key: string) {
  await first.runExclusive(() => {
    a.set(key, 1);
  });
  await second.runExclusive(() => {
    a.delete(key);
  });
}`,
    },
    {
      name: 'acquire/release in try/finally around the map update only',
      code: `${repository}
export class Cache {
  readonly #entries = new Map<string, Order>();
  readonly #mutex = new Mutex();
  async put(order: Order) {
    await repo.save(order);
    const release = await this.#mutex.acquire();
    try {
      this.#entries.set(order.id, order);
    } finally {
      release();
    }
  }
}`,
    },
    {
      name: 'a read-modify-write of the external store the lock guards',
      code: `${repository}
const mutex = new Mutex();
export async function increment(key: string) {
  const release = await mutex.acquire();
  try {
    const value = await kv.get(key);
    await kv.set(key, value + 1);
  } finally {
    release();
  }
}`,
    },
    {
      name: 'released before the await: the section ends at the release',
      code: `${repository}
const cache = new Map<string, Order>();
const mutex = new Mutex();
export async function get(id: string) {
  const release = await mutex.acquire();
  const cached = cache.get(id);
  release();
  return cached ?? (await repo.fetch(id));
}`,
    },
    {
      name: 'released in both branches before the await',
      code: `${repository}
const cache = new Map<string, Order>();
const mutex = new Mutex();
export async function get(id: string) {
  const release = await mutex.acquire();
  const cached = cache.get(id);
  if (cached !== undefined) {
    release();
    return cached;
  }
  cache.delete(id);
  release();
  return await repo.fetch(id);
}`,
    },
    {
      name: 'runExclusive with a sync callback',
      code: `${repository}
const counts = new Map<string, number>();
const mutex = new Mutex();
export function bump(key: string) {
  return mutex.runExclusive(() => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
}`,
    },
    {
      name: 'runExclusive that only awaits the work it serialises (a file append)',
      code: `${repository}
const mutex = new Mutex();
export function log(line: string) {
  return mutex.runExclusive(async () => {
    await appendFile('app.log', line);
  });
}`,
    },
    {
      name: 'the lock is released before the work: while (await m.runExclusive(() => q.shift())) await work()',
      code: `${repository}
const queue: Order[] = [];
const mutex = new Mutex();
export async function drain() {
  let next: Order | undefined;
  while ((next = await mutex.runExclusive(() => queue.shift()))) {
    await repo.save(next);
  }
}`,
    },
    {
      name: 'a semaphore of 8 is a concurrency limiter, meant to be held across I/O',
      code: `${repository}
const seen = new Set<string>();
const limiter = new Semaphore(8);
export async function load(id: string) {
  const [, release] = await limiter.acquire();
  try {
    seen.add(id);
    return await repo.fetch(id);
  } finally {
    release();
  }
}`,
    },
    {
      name: 'a semaphore whose capacity is not known here is taken as a limiter',
      code: `${repository}
const seen = new Set<string>();
export async function load(limiter: Semaphore, id: string) {
  return limiter.runExclusive(async () => {
    seen.add(id);
    return await repo.fetch(id);
  });
}`,
    },
    {
      name: 'a shared Web Lock: readers hold it together',
      code: `${repository}
const cache = new Map<string, Order>();
export async function read(id: string) {
  return navigator.locks.request('orders', { mode: 'shared' }, async () => {
    cache.get(id);
    return await repo.fetch(id);
  });
}`,
    },
    {
      name: 'a Web Lock with ifAvailable whose callback awaits only the store it guards',
      code: `${repository}
export async function increment(key: string) {
  await navigator.locks.request('counter', { ifAvailable: true }, async (lock) => {
    if (lock === null) return;
    const value = await kv.get(key);
    await kv.set(key, value + 1);
  });
}`,
    },
    {
      name: 'a lock helper whose section is the callback it runs',
      code: `${repository}
export async function withLock<T>(mutex: MutexInterface, callback: () => Promise<T>): Promise<T> {
  const release = await mutex.acquire();
  try {
    return await callback();
  } finally {
    release();
  }
}`,
    },
    {
      name: 'an await allowed by allowAwaitOf',
      code: `${repository}
const lines: string[] = [];
const mutex = new Mutex();
export function log(line: string) {
  return mutex.runExclusive(async () => {
    lines.push(line);
    await appendFile('app.log', line);
  });
}`,
      options: [{ allowAwaitOf: ['appendFile'] }],
    },
    {
      name: 'a mutex called acquire on a class that is not a lock is not a lock',
      code: `${repository}
class Pool { async acquire(): Promise<() => void> { return () => {}; } }
const cache = new Map<string, Order>();
export async function get(pool: Pool, id: string) {
  const release = await pool.acquire();
  cache.delete(id);
  await repo.fetch(id);
  release();
}`,
    },
    {
      name: 'semaphores ignored by ignoreSemaphores, also of capacity 1',
      code: `${repository}
const cache = new Map<string, Order>();
const single = new Semaphore(1);
export async function get(id: string) {
  return single.runExclusive(async () => {
    cache.delete(id);
    return await repo.fetch(id);
  });
}`,
      options: [{ ignoreSemaphores: true }],
    },
    {
      name: 'awaiting the exclusive callback itself is not re-entry',
      code: `${repository}
const cache = new Map<string, number>();
const mutex = new Mutex();
export async function set(key: string) {
  await mutex.runExclusive(() => {
    cache.set(key, 1);
  });
  await mutex.runExclusive(() => {
    cache.delete(key);
  });
}`,
    },
    {
      name: 'the work is returned from the exclusive callback, so the lock waits for it',
      code: `${repository}
const mutex = new Mutex();
export function save(order: Order) {
  return mutex.runExclusive(() => {
    return repo.save(order);
  });
}`,
    },
  ],
  invalid: [
    {
      name: 'a lock whose try starts after a call that can throw: the finally never runs for it',
      code: `${repository}
declare const network: { clientFor(id: string): { chainId: string } };
const tokens = new Map<string, string>();
const mutex = new Mutex();
export async function add(id: string, token: string) {
  const release = await mutex.acquire();
  const { chainId } = network.clientFor(id);
  try {
    tokens.set(chainId, token);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: 'releaseSkipped', line: 11, data: { lock: 'mutex', line: '11', throwLine: '12', remedy: 'start the `try` whose `finally` releases it right after taking the lock' } }],
    },
    {
      name: 'a Mutex released outside finally after a call that does not involve its release function: only this rule sees it',
      code: `${repository}
declare const network: { clientFor(id: string): { chainId: string } };
const tokens = new Map<string, string>();
const mutex = new Mutex();
export async function add(id: string, token: string) {
  const release = await mutex.acquire();
  const { chainId } = network.clientFor(id);
  tokens.set(chainId, token);
  release();
}`,
      errors: [{ messageId: 'releaseSkipped', line: 11, data: { lock: 'mutex', line: '11', throwLine: '12', remedy: finallyRemedy } }],
    },
    {
      name: 'a fetch between the check and the update, in all-awaits mode',
      code: `${repository}
export class Rates {
  #rates = new Map<string, number>();
  readonly #mutex = new Mutex();
  async refresh(currency: string) {
    await this.#mutex.runExclusive(async () => {
      const previous = this.#rates.get(currency) ?? 0;
      const order = await repo.fetch(currency);
      this.#rates.set(currency, previous + order.total);
    });
  }
}`,
      options: [{ mode: 'all-awaits' }],
      errors: [{ messageId: 'awaitWhileHeld', line: 13 }],
    },
    {
      name: 'nested sections on different locks: waiting for the second while holding the first',
      code: `${repository}
const a = new Map<string, number>();
const b = new Map<string, number>();
const first = new Mutex();
const second = new Mutex();
export async function move(key: string) {
  await first.runExclusive(async () => {
    const value = a.get(key) ?? 0;
    await second.runExclusive(() => {
      b.set(key, value);
    });
    a.delete(key);
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 14, data: { what: '`second.runExclusive()`', lock: 'first', line: '12', guarded: 'what it guards (`a`)' } }],
    },
    {
      name: 'the order-cache story: the repository fetch inside the section that guards the map',
      code: `${repository}
export class OrderCache {
  readonly #entries = new Map<string, Order>();
  readonly #mutex = new Mutex();
  async get(id: string): Promise<Order> {
    const release = await this.#mutex.acquire();
    const cached = this.#entries.get(id);
    if (cached !== undefined) {
      release();
      return cached;
    }
    const order = await repo.fetch(id);
    this.#entries.set(id, order);
    release();
    return order;
  }
}`,
      // The release an exception skips is reported by no-undisposed-resources: the release
      // function of a Mutex is a resource there.
      errors: [{ messageId: 'awaitWhileHeld', line: 17, data: { what: '`repo.fetch()`', lock: 'this.#mutex', line: '11', guarded: 'what it guards (`this.#entries`)' } }],
    },
    {
      name: 'an await of a function call inside runExclusive that guards a map',
      code: `${repository}
declare function findOrder(id: string): Promise<Order>;
const cache = new Map<string, Order>();
const mutex = new Mutex();
export function get(id: string) {
  return mutex.runExclusive(async () => {
    const order = cache.get(id) ?? (await findOrder(id));
    cache.set(id, order);
    return order;
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 12 }],
    },
    {
      name: 'an await after the last touch of the guarded state',
      code: `${repository}
declare const audit: { record(text: string): Promise<void> };
const totals = new Map<string, number>();
const mutex = new Mutex();
export async function add(order: Order) {
  const release = await mutex.acquire();
  try {
    totals.set(order.id, order.total);
    await audit.record(order.id);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 14 }],
    },
    {
      name: 'release in some branches only: the await on the other branch is held',
      code: `${repository}
const cache = new Map<string, Order>();
const mutex = new Mutex();
export async function get(id: string, fresh: boolean) {
  const release = await mutex.acquire();
  try {
    if (!fresh) {
      cache.delete(id);
    }
    return await repo.fetch(id);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 15 }],
    },
    {
      name: 'every await in all-awaits mode, also of the guarded store',
      code: `${repository}
const mutex = new Mutex();
export async function increment(key: string) {
  const release = await mutex.acquire();
  try {
    const value = await kv.get(key);
    await kv.set(key, value + 1);
  } finally {
    release();
  }
}`,
      options: [{ mode: 'all-awaits' }],
      errors: [{ messageId: 'awaitWhileHeld', line: 11 }, { messageId: 'awaitWhileHeld', line: 12 }],
    },
    {
      name: 'a semaphore of capacity 1 is a mutex',
      code: `${repository}
const cache = new Map<string, Order>();
const single = new Semaphore(1);
export async function get(id: string) {
  const [, release] = await single.acquire();
  try {
    cache.delete(id);
    return await repo.fetch(id);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 13 }],
    },
    {
      name: 'withTimeout around a mutex is still a mutex',
      code: `${repository}
const cache = new Map<string, Order>();
const mutex = withTimeout(new Mutex(), 5000);
export function get(id: string) {
  return mutex.runExclusive(async () => {
    cache.delete(id);
    return await repo.fetch(id);
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 12 }],
    },
    {
      name: 'aliasing: the lock read into a local first',
      code: `${repository}
export class Store {
  readonly #entries = new Map<string, Order>();
  readonly mutex = new Mutex();
  async refresh(id: string) {
    const m = this.mutex;
    await m.runExclusive(async () => {
      this.#entries.delete(id);
      return await repo.fetch(id);
    });
  }
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 14 }],
    },
    {
      name: 'a lock passed as a parameter, typed as Mutex',
      code: `${repository}
const cache = new Map<string, Order>();
export async function get(mutex: Mutex, id: string) {
  const release = await mutex.acquire();
  try {
    cache.delete(id);
    return await repo.fetch(id);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 12 }],
    },
    {
      name: 'a Web Lock whose callback awaits I/O besides the state it guards',
      code: `${repository}
const cache = new Map<string, Order>();
export async function get(id: string) {
  return navigator.locks.request('orders', async () => {
    cache.delete(id);
    return await repo.fetch(id);
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 11 }],
    },
    {
      name: 'async-lock, keyed, awaiting I/O besides the map it guards',
      code: `${repository}
import AsyncLock from 'async-lock';
const lock = new AsyncLock();
const cache = new Map<string, Order>();
export function get(id: string) {
  return lock.acquire(id, async () => {
    cache.delete(id);
    return await repo.fetch(id);
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 13 }],
    },
    {
      name: 'for await inside the section',
      code: `${repository}
declare function stream(): AsyncIterable<Order>;
const cache = new Map<string, Order>();
const mutex = new Mutex();
export function fill() {
  return mutex.runExclusive(async () => {
    cache.clear();
    const loaded: Order[] = [];
    for await (const order of stream()) loaded.push(order);
    return loaded;
  });
}`,
      errors: [{ messageId: 'awaitWhileHeld', line: 14 }],
    },
    {
      name: 'the same lock taken again inside its own section: a certain deadlock',
      code: `${repository}
const cache = new Map<string, Order>();
const mutex = new Mutex();
export async function reset() {
  await mutex.runExclusive(async () => {
    cache.clear();
    await mutex.runExclusive(() => cache.clear());
  });
}`,
      errors: [{ messageId: 'reentry', line: 12 }],
    },
    {
      name: 'the same lock re-entered through a method of the same class',
      code: `${repository}
export class Store {
  readonly #entries = new Map<string, Order>();
  readonly #mutex = new Mutex();
  async #evict(id: string) {
    const release = await this.#mutex.acquire();
    this.#entries.delete(id);
    release();
  }
  async replace(order: Order) {
    const release = await this.#mutex.acquire();
    try {
      await this.#evict(order.id);
      this.#entries.set(order.id, order);
    } finally {
      release();
    }
  }
}`,
      errors: [{ messageId: 'reentry', line: 18, data: { lock: 'this.#mutex', line: '16', via: ' by `this.#evict()` (line 11)' } }],
    },
    {
      name: 'the same Web Lock name requested again inside its own callback',
      code: `${repository}
export async function nested() {
  await navigator.locks.request('orders', async () => {
    await navigator.locks.request('orders', async () => {});
  });
}`,
      errors: [{ messageId: 'reentry', line: 9 }],
    },
    {
      name: 'the same lock returned from its own exclusive callback',
      code: `${repository}
const mutex = new Mutex();
export function nested() {
  return mutex.runExclusive(() => mutex.runExclusive(() => 1));
}`,
      errors: [{ messageId: 'reentry', line: 9 }],
    },
    {
      name: 'release outside finally, after an await that can throw (a semaphore of 1, whose releaser is no resource)',
      code: `${repository}
const single = new Semaphore(1);
export async function increment(key: string) {
  const [, release] = await single.acquire();
  const value = await kv.get(key);
  await kv.set(key, value + 1);
  release();
}`,
      errors: [{ messageId: 'releaseSkipped', line: 9, data: { lock: 'single', line: '9', throwLine: '10', remedy: finallyRemedy } }],
    },
    {
      name: "release outside finally of a project's own lock declared in the options",
      code: `${repository}
export class QueryLock { async acquire(): Promise<() => void> { return () => {}; } }
export async function increment(lock: QueryLock, key: string) {
  const release = await lock.acquire();
  await kv.set(key, 1);
  release();
}`,
      options: [{ locks: [{ type: { from: 'file', name: 'QueryLock' }, method: 'acquire', form: 'release-function' }] }],
      errors: [{ messageId: 'releaseSkipped', line: 9, data: { lock: 'lock', line: '9', throwLine: '10', remedy: finallyRemedy } }],
    },
    {
      name: 'semaphore.release() outside finally, after a call that can throw',
      code: `${repository}
declare function validate(order: Order): void;
const orders: Order[] = [];
const single = new Semaphore(1);
export async function add(order: Order) {
  await single.acquire();
  validate(order);
  orders.push(order);
  single.release();
}`,
      errors: [{ messageId: 'releaseSkipped', line: 11, data: { lock: 'single', line: '11', throwLine: '12', remedy: finallyRemedy } }],
    },
    {
      name: 'acquire() not awaited: nothing is exclusive',
      code: `${repository}
const orders: Order[] = [];
const mutex = new Mutex();
export function add(order: Order) {
  mutex.acquire();
  orders.push(order);
  mutex.release();
}`,
      errors: [{ messageId: 'unawaitedAcquire', line: 10, data: { call: 'mutex.acquire()' } }],
    },
    {
      name: 'a Web Lock callback that starts async work without awaiting it',
      code: `${repository}
export async function save(order: Order) {
  await navigator.locks.request('orders', () => {
    repo.save(order);
  });
}`,
      errors: [{ messageId: 'floatingInSection', line: 9 }],
    },
    {
      name: 'a runExclusive callback that floats the work',
      code: `${repository}
const mutex = new Mutex();
export function save(order: Order) {
  return mutex.runExclusive(async () => {
    repo.save(order);
  });
}`,
      errors: [{ messageId: 'floatingInSection', line: 10 }],
    },
    {
      name: "a project's own lock declared in the options",
      code: `${repository}
export class QueryLock { async acquire(): Promise<() => void> { return () => {}; } }
const cache = new Map<string, Order>();
export async function get(lock: QueryLock, id: string) {
  const release = await lock.acquire();
  try {
    cache.delete(id);
    return await repo.fetch(id);
  } finally {
    release();
  }
}`,
      options: [{ locks: [{ type: { from: 'file', name: 'QueryLock' }, method: 'acquire', form: 'release-function' }] }],
      errors: [{ messageId: 'awaitWhileHeld', line: 13 }],
    },
  ],
});

// A file named as a test: where locks serialise whole async tests.
createTypedRuleTester('test-file').run('no-lock-across-await in a test file', rule, {
  valid: [
    {
      name: 'in a test file, a lock serialising whole tests',
      filename: 'file.test.ts',
      code: `${repository}
const shared = new Map<string, Order>();
const mutex = new Mutex();
export async function serially(id: string) {
  await mutex.runExclusive(async () => {
    shared.clear();
    await repo.fetch(id);
  });
}`,
    },
  ],
  invalid: [
    {
      name: 'in a test file with ignoreInTests off',
      filename: 'file.test.ts',
      code: `${repository}
const shared = new Map<string, Order>();
const mutex = new Mutex();
export async function serially(id: string) {
  await mutex.runExclusive(async () => {
    shared.clear();
    await repo.fetch(id);
  });
}`,
      options: [{ ignoreInTests: false }],
      errors: [{ messageId: 'awaitWhileHeld', line: 12 }],
    },
  ],
});
