#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { relative } from 'node:path';

import { CheckUsageError, countProblems, formatCheckResults, runCheck } from './check.js';
import { registerCodemodCommand } from './codemods/cli.js';
import { packageInfo } from './package-info.js';
import { describeFilesThatDifferFromIndex, findStagedTypeScriptFiles } from './staged-files.js';

/** Exit codes shared by every command: 0 clean, 1 found something / a file errored, 2 bad usage. */
const EXIT_USAGE = 2;
const EXIT_FOUND_OR_FAILED = 1;

function createProgram(): Command {
  const program = new Command('predictable')
    .description('Find and fix resource and concurrency bugs in TypeScript: typed lint rules and codemods.')
    .version(packageInfo.version)
    .exitOverride()
    .showHelpAfterError();

  program
    .command('check')
    .description('audit TypeScript files with the recommended rules and typed linting; needs no ESLint config')
    .argument('[paths...]', 'files or directories to check', ['.'])
    .option('-f, --format <name>', "ESLint formatter: 'stylish', 'json', or any formatter ESLint can load", 'stylish')
    .option('--staged', "only the TypeScript files staged in git (under the paths given), still with the whole program's types")
    .action(async (paths: string[], options: { format: string; staged?: boolean }) => {
      const cwd = process.cwd();
      const staged = options.staged === true ? await findStagedTypeScriptFiles({ paths, cwd }) : undefined;
      if (staged !== undefined) {
        const note = describeFilesThatDifferFromIndex(staged, cwd);
        if (note !== undefined) process.stderr.write(`${pc.yellow(note)}\n`);
        if (staged.files.length === 0) {
          // A hook with nothing to check passes, but says so: a bare "no problems" would claim a check that never ran.
          (options.format === 'stylish' ? process.stdout : process.stderr).write('predictable: no staged TypeScript files to check\n');
          return;
        }
      }
      const report = await runCheck({ paths: staged?.files ?? paths, cwd });
      const output = await formatCheckResults(report, options.format, cwd);
      if (output.length > 0) {
        process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
      }
      // With a machine-readable format stdout must stay parseable, so the summary goes to stderr.
      const summary = options.format === 'stylish' ? process.stdout : process.stderr;
      const lines: string[] = [];
      for (const [ruleId, count] of [...report.problemsByRule].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`  ${ruleId}: ${String(count)} ${count === 1 ? 'problem' : 'problems'}`);
      }
      if (report.filesOutsideTsconfig.length > 0) {
        lines.push(
          pc.yellow(
            `  skipped ${String(report.filesOutsideTsconfig.length)} file(s) that no tsconfig.json includes: ${report.filesOutsideTsconfig
              .map((file) => relative(cwd, file))
              .join(', ')}`,
          ),
        );
      }
      const problems = countProblems(report);
      const headline =
        problems === 0
          ? pc.green(`predictable: no problems in ${String(report.filesLinted)} file(s)`)
          : pc.red(`predictable: ${String(problems)} problem(s) in ${String(report.filesLinted)} file(s)`);
      summary.write(`${[headline, ...lines].join('\n')}\n`);
      process.exitCode = problems > 0 || report.filesWithFatalErrors.length > 0 ? EXIT_FOUND_OR_FAILED : 0;
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
