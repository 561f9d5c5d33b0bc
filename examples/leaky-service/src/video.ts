// Product video pipeline: probe the upload, render a 15 s 480p preview with the transcoder,
// write the manifest the product page reads.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BoundedQueue } from './queue.js';

const TRANSCODER = process.env.TRANSCODER_BIN ?? 'ffmpeg';
const TRANSCODE_TIMEOUT_MS = 120_000;
export const MEDIA_ROOT = process.env.MEDIA_ROOT ?? join(tmpdir(), 'storefront-media');

export interface VideoJob {
  sku: string;
  sourcePath: string;
  receivedAt: number;
}

export interface UploadInfo {
  sizeBytes: number;
  brand: string;
}

export interface PreviewManifest extends UploadInfo {
  sku: string;
  preview: string;
  createdAt: string;
}

// Postmortem MEDIA-97: a client started sending WebM files renamed to .mp4. Every rejected upload
// left its file descriptor open; workers hit EMFILE after about a day and stopped taking jobs.
export async function probeUpload(path: string): Promise<UploadInfo> {
  const file = await open(path, 'r');
  const { size } = await file.stat();
  const header = Buffer.alloc(12);
  await file.read(header, 0, header.length, 0);
  const brand = readFtypBrand(header);
  await file.close();
  return { sizeBytes: size, brand };
}

function readFtypBrand(header: Buffer): string {
  if (header.toString('latin1', 4, 8) !== 'ftyp') {
    throw new Error('not an ISO base media file (no ftyp box)');
  }
  return header.toString('latin1', 8, 12);
}

// Postmortem MEDIA-131: a transcoder build hung on some variable-frame-rate sources. The timeout
// fired and the job was marked failed, but nothing stopped the encoder or removed its scratch
// directory: 400 stuck encoders and a full /tmp on every media node by Monday. The job log
// stayed open as well, since it is only closed once the preview has been copied.
export async function renderPreview(job: VideoJob, info: UploadInfo): Promise<string> {
  const workdir = await mkdtemp(join(tmpdir(), 'preview-'));
  const output = join(workdir, 'preview.mp4');
  const log = await open(join(MEDIA_ROOT, `${job.sku}.transcode.log`), 'a');
  await log.appendFile(`${new Date().toISOString()} start ${job.sourcePath} ${info.brand} ${info.sizeBytes}B\n`);

  const encoder = spawn(
    TRANSCODER,
    ['-hide_banner', '-y', '-i', job.sourcePath, '-t', '15', '-vf', 'scale=-2:480', '-an', output],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderrTail = '';
  encoder.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2_000);
  });

  await Promise.race([
    exited(encoder, () => stderrTail),
    sleep(TRANSCODE_TIMEOUT_MS).then(() => {
      throw new Error(`transcode of ${job.sku} timed out after ${TRANSCODE_TIMEOUT_MS} ms`);
    }),
  ]);

  const preview = join(MEDIA_ROOT, `${job.sku}.preview.mp4`);
  await copyFile(output, preview);
  await log.appendFile(`${new Date().toISOString()} done ${preview}\n`);
  await log.close();
  return preview;
}

/** Resolves when the encoder exits cleanly; `once` also rejects if it cannot be spawned. */
async function exited(child: ChildProcess, stderr: () => string): Promise<void> {
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) {
    const lastLine = stderr().trim().split('\n').at(-1) ?? '';
    throw new Error(`${TRANSCODER} exited with ${signal ?? code}: ${lastLine}`);
  }
}

function manifestPath(sku: string): string {
  return join(MEDIA_ROOT, `${sku}.manifest.json`);
}

// Read for every video tile on a product page; the handle is closed before the response goes out.
export async function readPreviewManifest(sku: string): Promise<PreviewManifest> {
  await using manifest = await open(manifestPath(sku), 'r');
  return JSON.parse(await manifest.readFile('utf8')) as PreviewManifest;
}

export async function runVideoWorker(queue: BoundedQueue<VideoJob>, signal: AbortSignal): Promise<void> {
  await mkdir(MEDIA_ROOT, { recursive: true });
  while (!signal.aborted) {
    const job = await queue.take();
    try {
      const info = await probeUpload(job.sourcePath);
      const preview = await renderPreview(job, info);
      const manifest: PreviewManifest = { ...info, sku: job.sku, preview, createdAt: new Date().toISOString() };
      await writeFile(manifestPath(job.sku), JSON.stringify(manifest));
      console.log(`preview for ${job.sku} ready after ${Date.now() - job.receivedAt} ms`);
    } catch (err) {
      console.error(`video job for ${job.sku} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
