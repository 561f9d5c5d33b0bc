// HTTP API of the storefront: product availability and shipping quotes, orders and checkout,
// product video uploads.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { quoteShipping, settleInvoice } from './billing.js';
import { NotFoundError, orderTotalCents, products, stockByWarehouse } from './domain.js';
import { HttpError, readJson, sendJson } from './http.js';
import type { OrderCache } from './order-cache.js';
import type { BoundedQueue } from './queue.js';
import { readPreviewManifest, type VideoJob } from './video.js';

const BASE_URL = 'http://storefront.internal';
const QUOTE_TIMEOUT_MS = 3_000;

export interface Services {
  orders: OrderCache;
  videoJobs: BoundedQueue<VideoJob>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void> | void;

type Route = { method: 'GET' | 'POST'; pattern: RegExp; handler: Handler };

// Postmortem CAT-311: the supplier feed import created 2 000 products without a primary
// warehouse. The TypeError below failed availability for each of them, and the cart, which checks
// every line, answered 500 for any cart holding one until the import was rolled back 25 minutes
// later. Unknown SKUs from stale links fail the same way.
function productAvailability(req: IncomingMessage, res: ServerResponse, sku: string): void {
  const url = new URL(req.url!, BASE_URL);
  const wanted = Number(url.searchParams.get('qty') ?? '1');
  const product = products.get(sku)!;
  const primary = product.warehouses.find((w) => w.isPrimary)!;
  const onHand = stockByWarehouse.get(`${primary.id}:${sku}`) ?? 0;
  sendJson(res, 200, { sku, warehouse: primary.id, region: primary.region, onHand, available: onHand >= wanted });
}

async function shippingQuote(req: IncomingMessage, res: ServerResponse, sku: string): Promise<void> {
  const product = products.get(sku);
  if (product === undefined) {
    throw new NotFoundError(`product ${sku}`);
  }
  const postcode = new URL(req.url ?? '/', BASE_URL).searchParams.get('postcode');
  if (!postcode) {
    throw new HttpError(400, 'postcode is required');
  }
  // Stop asking the carrier once the shopper is gone or the quote is too late to be shown.
  const clientGone = new AbortController();
  res.once('close', () => clientGone.abort());
  const signal = AbortSignal.any([clientGone.signal, AbortSignal.timeout(QUOTE_TIMEOUT_MS)]);
  sendJson(res, 200, await quoteShipping(product, postcode, signal));
}

function showOrder(services: Services): Handler {
  return async (_req, res, orderId) => sendJson(res, 200, await services.orders.get(orderId));
}

function checkout(services: Services): Handler {
  return async (_req, res, orderId) => {
    const order = await services.orders.get(orderId);
    if (order.status !== 'open') {
      throw new HttpError(409, `order ${orderId} is ${order.status}`);
    }
    const totalCents = orderTotalCents(order);
    // The provider confirms asynchronously: answer now, flip the order to paid once it settles.
    settleInvoice(order, totalCents)
      .then(() => services.orders.put({ ...order, status: 'paid' }))
      .catch((err: unknown) => console.error(`settlement of ${order.id} failed:`, err));
    sendJson(res, 202, { orderId: order.id, totalCents, status: 'pending' });
  };
}

function enqueueVideo(services: Services): Handler {
  return async (req, res) => {
    // The upload gateway has already stored the file on the media volume; we get its path.
    const body = (await readJson(req)) as { sku?: unknown; sourcePath?: unknown };
    if (typeof body.sku !== 'string' || typeof body.sourcePath !== 'string') {
      throw new HttpError(400, 'expected { "sku": string, "sourcePath": string }');
    }
    services.videoJobs.push({ sku: body.sku, sourcePath: body.sourcePath, receivedAt: Date.now() });
    sendJson(res, 202, { sku: body.sku, queued: services.videoJobs.size });
  };
}

async function videoManifest(_req: IncomingMessage, res: ServerResponse, sku: string): Promise<void> {
  try {
    sendJson(res, 200, await readPreviewManifest(sku));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`preview for ${sku}`);
    }
    throw err;
  }
}

function health(services: Services): Handler {
  return (_req, res) => {
    const { size, overCapacity } = services.videoJobs;
    sendJson(res, 200, { videoQueue: size, videoQueueOverCapacity: overCapacity, cachedOrders: services.orders.size });
  };
}

export function createApp(services: Services): Server {
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/products\/([^/]+)\/availability$/, handler: productAvailability },
    { method: 'GET', pattern: /^\/products\/([^/]+)\/shipping-quote$/, handler: shippingQuote },
    { method: 'GET', pattern: /^\/products\/([^/]+)\/video$/, handler: videoManifest },
    { method: 'POST', pattern: /^\/videos$/, handler: enqueueVideo(services) },
    { method: 'GET', pattern: /^\/orders\/([^/]+)$/, handler: showOrder(services) },
    { method: 'POST', pattern: /^\/orders\/([^/]+)\/checkout$/, handler: checkout(services) },
    { method: 'GET', pattern: /^\/healthz$/, handler: health(services) },
  ];

  return createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? '/', BASE_URL);
      for (const route of routes) {
        const match = route.method === req.method ? route.pattern.exec(pathname) : null;
        if (match !== null) {
          await route.handler(req, res, decodeURIComponent(match[1] ?? ''));
          return;
        }
      }
      throw new HttpError(404, `no route for ${req.method} ${pathname}`);
    } catch (err) {
      if (res.headersSent || res.destroyed) {
        return;
      }
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
      } else if (err instanceof NotFoundError) {
        sendJson(res, 404, { error: err.message });
      } else {
        console.error(`${req.method} ${req.url} failed:`, err);
        sendJson(res, 500, { error: 'internal error' });
      }
    }
  });
}
