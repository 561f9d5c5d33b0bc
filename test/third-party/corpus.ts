/**
 * The real-code corpus: npm packages that ship their TypeScript sources, pinned exactly in
 * `devDependencies`, so every machine lints the same bytes. Nothing of them is copied into this
 * repository; `node_modules/<name>/src` is the code under test.
 *
 * Each entry says why the package is here (what it has that the rules are about) and which of its
 * files are left out, each with the reason, so a reader knows what the corpus does not cover.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { globSync } from 'tinyglobby';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const corpusDirectory = join(repositoryRoot, 'test/third-party/corpus');

export interface LeftOutFiles {
  /** A glob relative to the package directory. */
  pattern: string;
  reason: string;
}

export interface CorpusPackage {
  /** The npm name, as in `package.json`. */
  name: string;
  /** What the package has that the rules are about: pools, sockets, streams, locks, loops... */
  why: string;
  /** Globs relative to the package directory; default `src/**\/*.ts`. */
  include?: readonly string[];
  leftOut?: readonly LeftOutFiles[];
  /**
   * Compiler options that differ from {@link baseCompilerOptions}, as the package's own tsconfig
   * sets them. A package's tsconfig is rarely shipped: a strictness flag is set here when the sources
   * compile under it unchanged, which they do only when written for it.
   */
  compilerOptions?: Readonly<Record<string, unknown>>;
  /**
   * Where its TypeScript sources are: `src` files shipped as they are (the default), or the
   * `sourcesContent` of the source maps next to its compiled files, which {@link prepareSources}
   * writes out to `src/` (a package that ships maps with their sources ships its sources too).
   */
  sources?: 'src' | 'source-maps';
  /** The rules run on it when not all of them, the others left out for the reason `why` gives. */
  rules?: readonly string[];
  /** The codemods run on it when not all of them, as for `rules`. */
  codemods?: readonly string[];
}

/**
 * Options that type-check shipped sources the way their authors' builds do: the newest library
 * (several packages use `Promise.withResolvers` and `Uint8Array.fromBase64`), the DOM for the
 * packages that run in browsers too, and bundler resolution, which accepts both extensionless
 * and `.ts`/`.js` relative imports, as the packages' own build tools do.
 */
export const baseCompilerOptions: Readonly<Record<string, unknown>> = {
  target: 'ES2022',
  lib: ['esnext', 'dom', 'dom.iterable'],
  module: 'preserve',
  moduleResolution: 'bundler',
  allowImportingTsExtensions: true,
  resolveJsonModule: true,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

export const corpusPackages: readonly CorpusPackage[] = [
  {
    name: 'mongodb',
    why: 'a database driver: connection pools, sockets, TLS and SOCKS proxies, cursors and sessions with Symbol.asyncDispose, per-message loops over the wire protocol',
    // mongodb's own tsconfig keeps catch variables `any`; with `unknown` it does not type-check.
    compilerOptions: { useUnknownInCatchVariables: false, useDefineForClassFields: false },
  },
  {
    name: '@anthropic-ai/sdk',
    why: 'an HTTP API client: fetch with AbortSignal, streaming responses decoded in loops, retries with timers, file uploads',
    // Its sources are written for these checks (they compile under them unchanged); without them an
    // index read looks non-nullable and a codemod would drop a `!` the package needs.
    compilerOptions: { noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noPropertyAccessFromIndexSignature: true },
  },
  {
    name: '@trpc/server',
    why: 'an RPC server: request handlers for node:http, fetch, fastify, express and WebSockets, streamed responses, async iterators and AbortSignals',
    compilerOptions: { noUncheckedIndexedAccess: true },
    leftOut: [
      { pattern: 'src/adapters/next.ts', reason: 'imports `next`, which is not installed: its types would all be `any`' },
      { pattern: 'src/adapters/next-app-dir/**', reason: 'imports `next`, which is not installed: its types would all be `any`' },
    ],
  },
  {
    name: 'rxjs',
    why: 'a reactive streams library: subscriptions as resources, schedulers and timers, WebSocket subjects, per-value operator loops',
  },
  {
    name: 'zod',
    why: 'a schema validator: per-value parse loops full of indexed access, and a large test suite (test code as a user of the rules has it)',
    leftOut: [{ pattern: 'src/v3/benchmarks/**', reason: 'benchmark scripts for the `benchmark` package, which is not installed' }],
  },
  {
    name: 'libp2p',
    why: 'a peer-to-peer networking stack: connection managers, dialers with AbortSignals, timers, queues of pending dials',
    leftOut: [{ pattern: 'src/**/*.react-native.ts', reason: 'imports `react-native`, which is not installed' }],
  },
  {
    name: '@libp2p/utils',
    why: 'libp2p building blocks: abstract streams and muxers, bounded queues, adaptive timeouts, rate limiters',
  },
  {
    name: '@libp2p/tcp',
    why: 'a TCP transport: net sockets, listeners and their close paths, AbortSignals on dial',
  },
  {
    name: 'matrix-js-sdk',
    why: 'a chat client: sync loops, to-device message queues, WebRTC calls, timers, event emitters, crypto',
  },
  {
    name: '@temporalio/worker',
    why: 'a workflow worker: native runtime handles, worker threads, child processes, graceful shutdown with AbortSignals',
    compilerOptions: { noUncheckedIndexedAccess: true },
  },
  {
    name: '@temporalio/client',
    why: 'a workflow client: gRPC connections, streaming long polls, retries, AbortSignals',
    compilerOptions: { noUncheckedIndexedAccess: true },
  },
  {
    name: '@microsoft/signalr',
    why: 'a real-time client: WebSockets, long polling, server-sent events, reconnect timers, AbortController polyfill',
  },
  {
    name: '@supabase/auth-js',
    why: 'an auth client: Web Locks (`navigator.locks.request`) and an in-process lock around token refresh and session storage, timers for auto-refresh, fetch with retries',
  },
  {
    name: 'typeorm',
    why: 'an ORM: pooled query runners and the query lock of its drivers, released in finally by its own code and nowhere declared as resources; its sources come from the sourcesContent of its source maps. Only no-undisposed-resources and to-using run on it: the hot-path rule reports some 270 `!` here that are not reviewed yet, and to-error-returns rewrites what that rule reports',
    sources: 'source-maps',
    rules: ['no-undisposed-resources'],
    codemods: ['to-using'],
    compilerOptions: {
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
      strictPropertyInitialization: false,
      strictFunctionTypes: false,
      useUnknownInCatchVariables: false,
    },
  },
  {
    name: 'telegraf',
    why: 'a bot framework: webhook request handlers, long-polling loops, file uploads from streams',
    compilerOptions: { noUncheckedIndexedAccess: true },
  },
];

/** The folder name of a package in the corpus: `@libp2p/utils` → `libp2p-utils`. */
export function corpusSlug(packageName: string): string {
  return packageName.replace(/^@/, '').replace('/', '-');
}

export function packageDirectory(corpusPackage: CorpusPackage): string {
  return join(repositoryRoot, 'node_modules', corpusPackage.name);
}

export function tsconfigPath(corpusPackage: CorpusPackage): string {
  return join(corpusDirectory, corpusSlug(corpusPackage.name), 'tsconfig.json');
}

export function includedPatterns(corpusPackage: CorpusPackage): readonly string[] {
  return corpusPackage.include ?? ['src/**/*.ts'];
}

/**
 * The tsconfig that types a package's sources, its paths relative to the package directory, or
 * prefixed with `fromConfig` (the way from the tsconfig's folder to the package).
 */
export function corpusTsconfig(corpusPackage: CorpusPackage, fromConfig = ''): { compilerOptions: Record<string, unknown>; include: string[]; exclude: string[] } {
  const prefix = fromConfig === '' ? '' : `${fromConfig}/`;
  return {
    compilerOptions: { ...baseCompilerOptions, ...corpusPackage.compilerOptions },
    include: includedPatterns(corpusPackage).map((pattern) => `${prefix}${pattern}`),
    exclude: ['src/**/*.d.ts', ...(corpusPackage.leftOut ?? []).map((leftOut) => leftOut.pattern)].map((pattern) => `${prefix}${pattern}`),
  };
}

/** The tsconfig {@link writeTsconfig} writes into `test/third-party/corpus/<package>/`. */
export function renderTsconfig(corpusPackage: CorpusPackage): string {
  const fromTsconfig = relative(dirname(tsconfigPath(corpusPackage)), packageDirectory(corpusPackage));
  return `${JSON.stringify(corpusTsconfig(corpusPackage, fromTsconfig), null, 2)}\n`;
}

/** Writes the package's tsconfig; `true` when the file changed. */
export function writeTsconfig(corpusPackage: CorpusPackage): boolean {
  const path = tsconfigPath(corpusPackage);
  const text = renderTsconfig(corpusPackage);
  if (existsSync(path) && readFileSync(path, 'utf8') === text) {
    return false;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return true;
}

/** The exact version installed, which must be the one pinned in `package.json`. */
export function installedVersion(corpusPackage: CorpusPackage): string {
  const manifest = JSON.parse(readFileSync(join(packageDirectory(corpusPackage), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/**
 * Writes a `source-maps` package's TypeScript sources to its `src/` folder from the
 * `sourcesContent` of the maps next to its compiled files (not those of its `browser/` build), and
 * leaves a `src` package alone. Runs before anything reads the sources; a file already right is not
 * written again.
 */
export function prepareSources(corpusPackage: CorpusPackage): void {
  if (corpusPackage.sources !== 'source-maps') {
    return;
  }
  const directory = packageDirectory(corpusPackage);
  for (const mapPath of globSync('**/*.js.map', { cwd: directory, absolute: true, ignore: ['node_modules/**', 'browser/**'] })) {
    const map = JSON.parse(readFileSync(mapPath, 'utf8')) as { sources?: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
    (map.sources ?? []).forEach((source, index) => {
      const text = map.sourcesContent?.[index];
      const original = resolve(dirname(mapPath), map.sourceRoot ?? '', source);
      const inSource = original.lastIndexOf(`${sep}src${sep}`);
      if (text === undefined || text === null || inSource < 0) {
        return;
      }
      const target = join(directory, 'src', original.slice(inSource + `${sep}src${sep}`.length));
      if (!existsSync(target) || readFileSync(target, 'utf8') !== text) {
        // The lint and codemod corpus tests may prepare the same package at once: a file is
        // renamed into place whole, so neither ever reads one half written.
        mkdirSync(dirname(target), { recursive: true });
        const partial = `${target}.${String(process.pid)}.partial`;
        writeFileSync(partial, text);
        renameSync(partial, target);
      }
    });
  }
}
