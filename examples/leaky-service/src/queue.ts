// In-process work queue for media jobs.
//
// Postmortem MEDIA-118: a seller's sync script re-submitted its whole video catalog every few
// minutes. Uploads are accepted in milliseconds, a transcode takes seconds, and the queue never
// pushes back: the backlog passed 400 000 jobs, four times its capacity, a new upload waited
// 30 hours for its preview, and the pod was finally OOM-killed with every queued job in memory.

export class BoundedQueue<T> {
  /** Jobs accepted while the queue was already full; exported to the metrics endpoint. */
  overCapacity = 0;
  readonly #items: T[] = [];
  readonly #waiters: Array<() => void> = [];

  constructor(readonly capacity = 100_000) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    if (this.#items.length >= this.capacity) {
      // Keep the job anyway (a dropped upload is a support ticket); the alert on this counter
      // tells us when to scale the workers.
      this.overCapacity++;
    }
    this.#items.push(item);
    this.#waiters.shift()?.();
  }

  async take(): Promise<T> {
    for (;;) {
      if (this.#items.length > 0) {
        return this.#items.shift() as T;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}
