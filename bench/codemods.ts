/**
 * Throughput of the codemods against the jscodeshift CLI on the same files: files per second of
 * `predictable codemod <name> --dry` (the built CLI, `dist/cli.js`, as the package's `predictable`
 * command runs it) (which analyses with types and verifies every rewrite with
 * the type checker) next to jscodeshift parsing and printing each file unchanged
 * (`bench/identity-transform.ts`, its workers as it starts them by default). Each command runs in
 * a fresh process, `REPEAT` times; the median is reported, with the ratio to jscodeshift.
 *
 *   npm run bench            # runs this after the rule benchmark
 *   tsx bench/codemods.ts    # this part alone
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;
const corpora: Corpus[] = [
  { name: 'mongodb src', cwd: `${root}node_modules/mongodb`, paths: ['src'], tsconfig: `${root}bench/mongodb/tsconfig.json` },
  { name: 'matrix-js-sdk src', cwd: `${root}node_modules/matrix-js-sdk`, paths: ['src'], tsconfig: `${root}test/third-party/corpus/matrix-js-sdk/tsconfig.json` },
];

interface Corpus {
  name: string;
  cwd: string;
  paths: string[];
  tsconfig: string;
}

interface Run {
  seconds: number;
  files: number;
}

function time(corpus: Corpus, command: string, args: string[], countFiles: (stdout: string) => number): Run {
  const started = performance.now();
  const stdout = execFileSync(command, args, { cwd: corpus.cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return { seconds: (performance.now() - started) / 1000, files: countFiles(stdout) };
}

// What runs is what ships: the TypeScript sources compiled once, not transpiled on every start.
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });

const commandsFor = (corpus: Corpus): { label: string; run: () => Run }[] => [
  {
    label: 'jscodeshift, identity transform',
    run: () =>
      time(corpus, bin('jscodeshift'), ['--dry', '--parser=ts', '--extensions=ts', '-t', `${root}bench/identity-transform.ts`, ...corpus.paths], (stdout) => {
        const unmodified = /(\d+) unmodified/.exec(stdout);
        return Number(unmodified?.[1] ?? Number.NaN);
      }),
  },
  ...['to-using', 'to-error-returns'].map((codemod) => ({
    label: `predictable codemod ${codemod} --dry`,
    run: () =>
      time(corpus, process.execPath, [`${root}dist/cli.js`, 'codemod', codemod, '--dry', '--json', '--tsconfig', corpus.tsconfig, ...corpus.paths], (stdout) => {
        const report = JSON.parse(stdout) as { counts: { scanned: number } };
        return report.counts.scanned;
      }),
  })),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

for (const corpus of corpora) {
  console.log(`\ncodemods on ${corpus.name} (${String(REPEAT)} runs each, median)`);
  console.log('command'.padEnd(44) + 'files'.padStart(7) + 'time'.padStart(10) + 'files/s'.padStart(10) + '  ×jscodeshift');
  let baseline: number | undefined;
  for (const command of commandsFor(corpus)) {
    const runs = Array.from({ length: REPEAT }, () => command.run());
    const seconds = median(runs.map((run) => run.seconds));
    const files = runs[0]?.files ?? Number.NaN;
    const rate = files / seconds;
    baseline ??= rate;
    console.log(command.label.padEnd(44) + String(files).padStart(7) + `${seconds.toFixed(2)} s`.padStart(10) + rate.toFixed(1).padStart(10) + (rate / baseline).toFixed(2).padStart(15));
  }
}
