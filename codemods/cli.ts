import cliProgress from 'cli-progress';
import { Command, CommanderError, Option } from 'commander';

import { codemods as registeredCodemods } from './index.js';
import { formatDiff, formatPrint, formatSummary, toJsonReport } from './report.js';
import type { CodemodPhase, CodemodProgressEvent } from './runner.js';
import { CodemodUsageError, DEFAULT_EXTENSIONS, runCodemod } from './runner.js';
import type { Codemod, CodemodOptionSpec } from './types.js';

const EXIT_FILE_ERRORED = 1;
const EXIT_USAGE = 2;

const PHASE_LABELS: Record<CodemodPhase, string> = {
  check: 'checking',
  analyse: 'analysing',
  verify: 'verifying',
  write: 'writing',
};

interface CodemodCommandFlags {
  dry?: boolean;
  print?: boolean;
  diff?: boolean;
  json?: boolean;
  tsconfig?: string;
  extensions: string;
  ignorePattern: string[];
  force?: boolean;
  mark?: boolean;
  [codemodOption: string]: unknown;
}

export interface RegisterCodemodCommandSettings {
  /** The codemods to offer; default: the package's registry. */
  codemods?: Readonly<Record<string, Codemod>>;
  /** The directory paths are relative to; default: `process.cwd()` when the command runs. */
  cwd?: string;
}

/**
 * Adds `codemod <name> [paths...]` to a commander program.
 *
 * Usage errors (commander's own, an unknown codemod, an option of another codemod) end through
 * `exitOverride` as a `CommanderError` with exit code 2, which the entry catches; a run in which
 * a file errored sets `process.exitCode` to 1, as ESLint does when it finds problems.
 */
export function registerCodemodCommand(program: Command, settings: RegisterCodemodCommandSettings = {}): Command {
  const available = settings.codemods ?? registeredCodemods;
  const command = program
    .command('codemod')
    .description('rewrite files with a codemod; verifies the result type-checks and refuses to overwrite uncommitted work')
    .argument('<name>', `the codemod to run: ${describeAvailable(available)}`)
    .argument('[paths...]', 'files, directories or globs to transform', ['.'])
    .option('-d, --dry', 'dry run: write nothing')
    .option('-p, --print', 'print the new contents of changed files to stdout')
    .option('--diff', 'print a unified diff of every change to stdout (applies with `git apply`)')
    .option('--json', 'print a machine-readable report to stdout')
    .option('--tsconfig <file>', 'the tsconfig to load (default: the nearest one)')
    .option('--extensions <list>', 'comma-separated extensions of the files to transform', DEFAULT_EXTENSIONS.join(','))
    .option('--ignore-pattern <glob>', 'skip files matching this glob (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--force', 'write files that have uncommitted changes or are outside a git repository')
    .option('--mark', 'leave a `// predictable-codemod: <reason>` comment above each refused site');

  const optionOwners = new Map<string, string[]>();
  for (const codemod of Object.values(available)) {
    for (const spec of codemod.options) {
      const owners = optionOwners.get(spec.name);
      if (owners !== undefined) {
        owners.push(codemod.name);
        continue;
      }
      optionOwners.set(spec.name, [codemod.name]);
      command.addOption(createOption(codemod, spec));
    }
  }

  command.exitOverride((error) => {
    // Commander's own errors are usage errors; its help and version exits stay 0.
    if (error.exitCode !== 0 && error.code.startsWith('commander.')) {
      throw new CommanderError(EXIT_USAGE, error.code, error.message);
    }
    throw error;
  });

  command.action(async (name: string, paths: string[], flags: CodemodCommandFlags) => {
    const codemod = available[name];
    if (codemod === undefined) {
      return command.error(`error: unknown codemod '${name}'. Available codemods: ${describeAvailable(available)}`, {
        exitCode: EXIT_USAGE,
        code: 'predictable.unknownCodemod',
      });
    }

    const codemodOptions: Record<string, unknown> = {};
    for (const option of command.options) {
      const key = option.attributeName();
      const source = command.getOptionValueSource(key);
      const owners = optionOwners.get(option.long?.replace(/^--(no-)?/, '') ?? '');
      if (owners === undefined || source !== 'cli') continue;
      if (!owners.includes(codemod.name)) {
        return command.error(`error: option '${option.long ?? key}' does not apply to codemod '${codemod.name}' (it belongs to ${owners.join(', ')})`, {
          exitCode: EXIT_USAGE,
          code: 'predictable.foreignOption',
        });
      }
      codemodOptions[optionSpecName(codemod, key)] = flags[key];
    }

    const output = command.configureOutput();
    const writeOut = (text: string): void => {
      (output.writeOut ?? ((chunk: string) => process.stdout.write(chunk)))(text);
    };
    const writeErr = (text: string): void => {
      (output.writeErr ?? ((chunk: string) => process.stderr.write(chunk)))(text);
    };
    const json = flags.json === true;
    const progress = json ? undefined : createProgressReporter(codemod.name, writeErr);

    let report;
    try {
      report = await runCodemod(codemod, {
        paths,
        ...(settings.cwd !== undefined ? { cwd: settings.cwd } : {}),
        ...(flags.tsconfig !== undefined ? { tsconfig: flags.tsconfig } : {}),
        extensions: flags.extensions.split(',').map((extension) => extension.trim()),
        ignorePatterns: flags.ignorePattern,
        dry: flags.dry === true,
        force: flags.force === true,
        mark: flags.mark === true,
        options: codemodOptions,
        ...(progress !== undefined ? { onProgress: progress.update } : {}),
      });
    } catch (error) {
      if (error instanceof CodemodUsageError) {
        return command.error(`error: ${error.message}`, { exitCode: EXIT_USAGE, code: 'predictable.codemodUsage' });
      }
      throw error;
    } finally {
      progress?.stop();
    }

    if (json) {
      writeOut(`${JSON.stringify(toJsonReport(report), null, 2)}\n`);
    } else {
      if (flags.print === true) writeOut(formatPrint(report));
      if (flags.diff === true) writeOut(formatDiff(report));
      // With --print or --diff, stdout carries only file contents or the patch, so that it can be
      // piped to `git apply`; the summary moves to stderr.
      const toStderr = flags.print === true || flags.diff === true;
      const color = (toStderr ? output.getErrHasColors?.() : output.getOutHasColors?.()) ?? false;
      (toStderr ? writeErr : writeOut)(formatSummary(report, { color }));
    }
    process.exitCode = report.files.some((file) => file.status === 'errored') ? EXIT_FILE_ERRORED : 0;
  });

  return command;
}

function describeAvailable(available: Readonly<Record<string, Codemod>>): string {
  const names = Object.keys(available).sort();
  return names.length === 0 ? '(none yet)' : names.join(', ');
}

function createOption(codemod: Codemod, spec: CodemodOptionSpec): Option {
  const description = `[${codemod.name}] ${spec.description}`;
  if (spec.type === 'boolean') {
    // A flag that defaults to on is turned off with --no-<name>.
    return new Option(spec.default === true ? `--no-${spec.name}` : `--${spec.name}`, description);
  }
  const option = new Option(`--${spec.name} <value>`, typeof spec.default === 'string' ? `${description} (default: ${spec.default})` : description);
  return spec.choices !== undefined ? option.choices(spec.choices) : option;
}

/** Commander camel-cases `--some-flag` to `someFlag`; the codemod reads its option by the spec's name. */
function optionSpecName(codemod: Codemod, attributeName: string): string {
  const spec = codemod.options.find((candidate) => new Option(`--${candidate.name}`).attributeName() === attributeName);
  return spec?.name ?? attributeName;
}

interface ProgressReporter {
  update: (event: CodemodProgressEvent) => void;
  stop: () => void;
}

/** A progress bar on a terminal; elsewhere (CI logs, pipes) one plain line per phase. */
function createProgressReporter(codemodName: string, writeErr: (text: string) => void): ProgressReporter {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${codemodName} {phase} [{bar}] {value}/{total} {file}`, stream: process.stderr, clearOnComplete: true, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(event) {
        const payload = { phase: PHASE_LABELS[event.phase], file: event.filePath ?? '' };
        if (!started) {
          bar.start(event.total, event.completed, payload);
          started = true;
          return;
        }
        bar.setTotal(event.total);
        bar.update(event.completed, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  return {
    update(event) {
      if (event.completed === 0 && event.total > 0) {
        writeErr(`${codemodName}: ${PHASE_LABELS[event.phase]} ${String(event.total)} file${event.total === 1 ? '' : 's'}\n`);
      }
    },
    stop() {},
  };
}
