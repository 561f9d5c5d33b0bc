// Calls out to the payments provider (invoices) and the carrier API (shipping quotes).

import { setTimeout as sleep } from 'node:timers/promises';
import type { Order, Product } from './domain.js';

const PAYMENTS_URL = process.env.PAYMENTS_URL ?? 'http://127.0.0.1:8089';
const CARRIER_URL = process.env.CARRIER_URL ?? 'http://127.0.0.1:8090';
const SETTLE_DEADLINE_MS = 600_000;
const SETTLE_POLL_MS = 5_000;

interface InvoiceState {
  state: 'pending' | 'settled' | 'declined';
}

// Postmortem PAY-52: during a slowdown at the payments provider, checkout pods kept tens of
// thousands of settlement pollers alive, each retrying for up to ten minutes after its customer
// had closed the tab. The pollers saturated the outbound connection pool, so new checkouts
// could not reach the provider at all; the outage outlived the provider's own incident by 40 min.
export async function settleInvoice(order: Order, amountCents: number): Promise<void> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  let created = false;

  while (Date.now() < deadline) {
    let state: InvoiceState['state'] | undefined;
    try {
      if (!created) {
        const res = await fetch(`${PAYMENTS_URL}/invoices`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `invoice-${order.id}` },
          body: JSON.stringify({ orderId: order.id, customerId: order.customerId, amountCents }),
        });
        created = res.ok;
      } else {
        const res = await fetch(`${PAYMENTS_URL}/invoices/${encodeURIComponent(order.id)}`);
        state = res.ok ? ((await res.json()) as InvoiceState).state : undefined;
      }
    } catch {
      // Provider unreachable or timing out: keep polling until the deadline.
    }
    if (state === 'settled') {
      return;
    }
    if (state === 'declined') {
      throw new Error(`invoice for ${order.id} was declined`);
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
  throw new Error(`invoice for ${order.id} not settled after ${SETTLE_DEADLINE_MS / 1000} s`);
}

export interface ShippingQuote {
  carrier: string;
  priceCents: number;
  etaDays: number;
}

// The carrier API is slow under load; the caller's signal ends both the request and the backoff
// as soon as the shopper leaves the page.
export async function quoteShipping(product: Product, postcode: string, signal: AbortSignal): Promise<ShippingQuote> {
  const url = new URL('/quotes', CARRIER_URL);
  url.searchParams.set('sku', product.sku);
  url.searchParams.set('postcode', postcode);

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const res = await fetch(url, { signal });
      if (res.ok) {
        return (await res.json()) as ShippingQuote;
      }
      lastError = new Error(`carrier answered ${res.status}`);
    } catch (err) {
      if (signal.aborted) {
        throw err;
      }
      lastError = err;
    }
    await sleep(250 * 2 ** attempt, undefined, { signal });
  }
  throw lastError;
}
