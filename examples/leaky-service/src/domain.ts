// Catalog and order records as the storefront API serves them. Local runs use the in-memory
// stores below instead of Postgres; fetches sleep for a few milliseconds so lock contention and
// queue build-up look the way they do in production.

import { setTimeout as sleep } from 'node:timers/promises';

export interface Warehouse {
  id: string;
  region: string;
  isPrimary: boolean;
}

export interface Product {
  sku: string;
  title: string;
  priceCents: number;
  warehouses: Warehouse[];
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  id: string;
  customerId: string;
  lines: OrderLine[];
  status: 'open' | 'paid' | 'cancelled';
}

export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

const catalog: Product[] = [
  {
    sku: 'TRAIL-40L',
    title: 'Trail pack 40 L',
    priceCents: 12_900,
    warehouses: [
      { id: 'ams-1', region: 'eu-west', isPrimary: true },
      { id: 'waw-2', region: 'eu-central', isPrimary: false },
    ],
  },
  {
    sku: 'STOVE-MINI',
    title: 'Mini gas stove',
    priceCents: 3_450,
    // Imported from the supplier feed, which has no notion of a primary warehouse.
    warehouses: [{ id: 'waw-2', region: 'eu-central', isPrimary: false }],
  },
];

export const products = new Map(catalog.map((product) => [product.sku, product]));

/** Units on hand, keyed by `${warehouseId}:${sku}`. */
export const stockByWarehouse = new Map<string, number>([
  ['ams-1:TRAIL-40L', 42],
  ['waw-2:TRAIL-40L', 7],
  ['waw-2:STOVE-MINI', 120],
]);

export class OrderRepository {
  readonly #orders = new Map<string, Order>();

  constructor(private readonly latencyMs = 40) {
    const lines = [
      { sku: 'TRAIL-40L', quantity: 1, unitPriceCents: 12_900 },
      { sku: 'STOVE-MINI', quantity: 2, unitPriceCents: 3_450 },
    ];
    this.#orders.set('ord-1001', { id: 'ord-1001', customerId: 'cus-77', status: 'open', lines });
  }

  async fetch(id: string): Promise<Order> {
    await sleep(this.latencyMs);
    const order = this.#orders.get(id);
    if (order === undefined) {
      throw new NotFoundError(`order ${id}`);
    }
    return structuredClone(order);
  }

  async save(order: Order): Promise<void> {
    await sleep(this.latencyMs);
    this.#orders.set(order.id, structuredClone(order));
  }
}

export function orderTotalCents(order: Order): number {
  let total = 0;
  for (let i = 0; i < order.lines.length; i++) {
    const line = order.lines[i]!;
    total += line.quantity * line.unitPriceCents;
  }
  return total;
}
