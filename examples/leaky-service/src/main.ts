import { OrderRepository } from './domain.js';
import { OrderCache } from './order-cache.js';
import { BoundedQueue } from './queue.js';
import { createApp } from './server.js';
import { runVideoWorker, type VideoJob } from './video.js';

const port = Number(process.env.PORT ?? 0);
const shutdown = new AbortController();
const videoJobs = new BoundedQueue<VideoJob>();
const server = createApp({ orders: new OrderCache(new OrderRepository()), videoJobs });

runVideoWorker(videoJobs, shutdown.signal).catch((err: unknown) => {
  console.error('video worker stopped:', err);
  process.exitCode = 1;
});

server.listen(port, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`storefront listening on http://localhost:${bound}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown.abort();
    server.closeIdleConnections();
    server.close(() => process.exit(0));
  });
}
