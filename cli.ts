#!/usr/bin/env node
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pc from 'picocolors';

import { type CheckReport, CheckUsageError, countProblems, countWarnings, describeCoverage, prepareCheck } from './check.js';
import { registerCodemodCommand } from './codemods/cli.js';
import { packageInfo } from './package-info.js';
import { describeFilesThatDifferFromIndex, findStagedTypeScriptFiles } from './staged-files.js';

/** Exit codes shared by every command: 0 clean, 1 found something / a file errored, 2 bad usage. */
const EXIT_USAGE = 2;
const EXIT_FOUND_OR_FAILED = 1;

interface CheckCommandOptions {
  format: string;
  staged?: boolean;
  outputFile?: string;
  maxWarnings?: number;
  quiet?: boolean;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError('expected a whole number, 0 or more');
  }
  return count;
}

/** A bar on stderr while files are linted, only on a terminal: CI logs and pipes stay clean. */
function createCheckProgress(): { update: (done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return { update: () => {}, stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'predictable check [{bar}] {value}/{total} files', stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.update(done);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function summaryLines(report: CheckReport, options: CheckCommandOptions): string[] {
  const lines: string[] = [];
  for (const [ruleId, count] of [...report.problemsByRule].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${ruleId}: ${String(count)} ${count === 1 ? 'problem' : 'problems'}`);
  }
  for (const line of describeCoverage(report)) {
    lines.push(pc.yellow(`  ${line}`));
  }
  const warnings = countWarnings(report);
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    lines.push(pc.red(`  ${String(warnings)} warning(s), more than --max-warnings ${String(options.maxWarnings)}`));
  }
  return lines;
}

async function writeFormatted(output: string, options: CheckCommandOptions, cwd: string): Promise<void> {
  const text = output.length === 0 || output.endsWith('\n') ? output : `${output}\n`;
  if (options.outputFile === undefined) {
    process.stdout.write(text);
    return;
  }
  const outputPath = resolve(cwd, options.outputFile);
  try {
    await mkdir(dirname(outputPath), { recursive: true });
    await writeFile(outputPath, text);
  } catch (error) {
    throw new CheckUsageError(`cannot write ${options.outputFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function runCheckCommand(paths: string[], options: CheckCommandOptions): Promise<void> {
  const cwd = process.cwd();
  const staged = options.staged === true ? await findStagedTypeScriptFiles({ paths, cwd }) : undefined;
  if (staged !== undefined) {
    const note = describeFilesThatDifferFromIndex(staged, cwd);
    if (note !== undefined) process.stderr.write(`${pc.yellow(note)}\n`);
    if (staged.files.length === 0) {
      // A hook with nothing to check passes, but says so: a bare "no problems" would claim a check that never ran.
      if (options.format !== 'stylish') {
        // Machine-readable output stays parseable: an empty result list, an empty SARIF run.
        const { formatter, emptyReport } = await prepareCheck({ paths: [], cwd, format: options.format });
        await writeFormatted(await formatter.format(emptyReport()), options, cwd);
      }
      (options.format === 'stylish' ? process.stdout : process.stderr).write('predictable: no staged TypeScript files to check\n');
      return;
    }
  }
  const progress = createCheckProgress();
  const { run, formatter } = await prepareCheck({
    paths: staged?.files ?? paths,
    cwd,
    format: options.format,
    quiet: options.quiet === true,
    onProgress: progress.update,
  });
  let report: CheckReport;
  try {
    report = await run();
  } finally {
    progress.stop();
  }
  await writeFormatted(await formatter.format(report), options, cwd);
  // With a machine-readable format on stdout, stdout must stay parseable, so the summary goes to
  // stderr; with a file, stdout is free again.
  const summary = options.format === 'stylish' || options.outputFile !== undefined ? process.stdout : process.stderr;
  const problems = countProblems(report);
  const headline =
    problems === 0
      ? pc.green(`predictable: no problems in ${String(report.filesLinted)} file(s)`)
      : pc.red(`predictable: ${String(problems)} problem(s) in ${String(report.filesLinted)} file(s)`);
  const written = options.outputFile === undefined ? [] : [`  results written to ${options.outputFile}`];
  summary.write(`${[headline, ...summaryLines(report, options), ...written].join('\n')}\n`);
  const tooManyWarnings = options.maxWarnings !== undefined && countWarnings(report) > options.maxWarnings;
  const errors = report.results.reduce((sum, result) => sum + result.errorCount, 0);
  process.exitCode = errors > 0 || tooManyWarnings || report.filesWithFatalErrors.length > 0 ? EXIT_FOUND_OR_FAILED : 0;
}

function createProgram(): Command {
  const program = new Command('predictable')
    .description('Find and fix resource and concurrency bugs in TypeScript: typed lint rules and codemods.')
    .version(packageInfo.version)
    .exitOverride()
    .showHelpAfterError("(see 'predictable --help', or --help after a command)");

  program
    .command('check')
    .description('audit TypeScript files with the recommended rules and typed linting; needs no ESLint config')
    .argument('[paths...]', 'files or directories to check', ['.'])
    .option('-f, --format <name>', "output format: 'stylish', 'json', 'json-with-metadata', 'sarif', or any formatter ESLint can load", 'stylish')
    .option('-o, --output-file <path>', 'write the formatted results to a file instead of stdout (the summary stays on the terminal)')
    .option('--max-warnings <count>', 'exit 1 when there are more warnings than this', parseCount)
    .option('--quiet', 'report errors only')
    .option('--staged', "only the TypeScript files staged in git (under the paths given), still with the whole program's types")
    .addHelpText(
      'after',
      `
Exit codes:
  0  nothing found
  1  problems found, more warnings than --max-warnings, or a file could not be parsed
  2  bad usage or nothing checked: an unknown format, no tsconfig.json, a tsconfig that does not
     load, no TypeScript file in the given paths (--staged with nothing staged says so and exits 0)`,
    )
    .action(async (paths: string[], options: CheckCommandOptions) => {
      await runCheckCommand(paths, options);
    });

  registerCodemodCommand(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride too; they are not usage errors.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof CheckUsageError) {
      process.stderr.write(`predictable: ${error.message}\n`);
      return EXIT_USAGE;
    }
    // A crash is still reported as a message with its stack, never as an unhandled rejection.
    process.stderr.write(`predictable: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FOUND_OR_FAILED;
  }
}

process.exitCode = await main(process.argv);
