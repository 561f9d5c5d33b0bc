import { Command, CommanderError } from 'commander';

import { registerCodemodCommand } from '../../codemods/cli.js';
import { createGeneratedModule, sampleCodemods } from './sample-codemods.js';

// A stand-in for the package's `cli.ts`, offering the sample codemods, so the end-to-end test runs
// the command the way a user's shell does: real argv, real stdout, real exit code.
const program = new Command('predictable').exitOverride();
registerCodemodCommand(program, { codemods: { ...sampleCodemods, 'create-module': createGeneratedModule({ brokenModule: false }) } });
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exitCode = error.exitCode;
}
