/**
 * Speed and memory of the rules, as ratios against a baseline measured in the same run: typed
 * parsing alone (what any typed lint pays) and typescript-eslint's `no-floating-promises` (a typed
 * rule teams already accept in pre-commit hooks). Each configuration runs in a fresh process,
 * `REPEAT` times; the median is reported.
 *
 *   npm run bench            # mongodb's shipped src/ (132 files, ~41k lines) and the example service
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import plugin from '../index.js';

interface Measurement {
  milliseconds: number;
  peakRssMegabytes: number;
  problems: number;
  files: number;
}

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const corpora = [
  { name: 'mongodb src', tsconfig: 'bench/mongodb/tsconfig.json', cwd: 'node_modules/mongodb' },
  { name: 'examples/leaky-service', tsconfig: 'examples/leaky-service/tsconfig.json', cwd: 'examples/leaky-service' },
];
const configurations = [
  'typed-parse-only',
  'no-floating-promises',
  'predictable-recommended',
  ...Object.keys(plugin.rules).map((name) => `predictable/${name}`),
];

function measure(configuration: string, tsconfig: string, cwd: string): Measurement {
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'bench/measure.ts', configuration, tsconfig, cwd], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Measurement;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

for (const corpus of corpora) {
  console.log(`\n${corpus.name} (${String(REPEAT)} runs each, median)`);
  console.log('configuration'.padEnd(48) + 'time'.padStart(10) + '  ×parse  ×nfp' + 'peak RSS'.padStart(12) + '  ×parse  problems');
  const rows = new Map<string, { milliseconds: number; rss: number; problems: number }>();
  for (const configuration of configurations) {
    const runs = Array.from({ length: REPEAT }, () => measure(configuration, corpus.tsconfig, corpus.cwd));
    rows.set(configuration, {
      milliseconds: median(runs.map((run) => run.milliseconds)),
      rss: median(runs.map((run) => run.peakRssMegabytes)),
      problems: runs[0]?.problems ?? 0,
    });
  }
  const parse = rows.get('typed-parse-only');
  const floating = rows.get('no-floating-promises');
  if (parse === undefined || floating === undefined) throw new Error('baselines missing');
  for (const [configuration, row] of rows) {
    console.log(
      configuration.padEnd(48) +
        `${(row.milliseconds / 1000).toFixed(2)} s`.padStart(10) +
        (row.milliseconds / parse.milliseconds).toFixed(2).padStart(8) +
        (row.milliseconds / floating.milliseconds).toFixed(2).padStart(6) +
        `${row.rss.toFixed(0)} MB`.padStart(12) +
        (row.rss / parse.rss).toFixed(2).padStart(8) +
        String(row.problems).padStart(10),
    );
  }
}
