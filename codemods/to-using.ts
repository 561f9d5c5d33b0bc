import { createResourceAnalysisContext } from '../analysis/resources/context.js';
import { planUsingConversions } from '../analysis/resources/using-conversion.js';
import { checkUsingRuntimeFloor } from './runtime-floor.js';
import type { Codemod } from './types.js';
import { createCodemodResult } from './types.js';

// A type alias, not an interface: only type literals fit the registry's `Record<string, unknown>`.
export type ToUsingOptions = {
  timers: boolean;
};

/**
 * `const x = acquire(); try { … } finally { x.close(); }` → `using x = acquire(); …`, for every
 * resource the `no-undisposed-resources` analysis proves is released by hand, and a refusal with
 * the reason for every one it cannot convert without changing what the program does.
 */
const toUsing: Codemod<ToUsingOptions> = {
  name: 'to-using',
  description: 'Replace manual releases in `finally` blocks (and at the end of a block) with `using` / `await using` declarations.',
  options: [
    {
      name: 'timers',
      description: 'Also treat `setInterval` handles as resources, as the rule option of the same name does.',
      type: 'boolean',
      default: false,
    },
  ],
  run(context) {
    const result = createCodemodResult();
    const program = context.program;
    // Module top levels are planned too: a top-level `try`/`finally` converts like any other, and
    // what cannot be converted there is refused with its reason rather than passed over.
    const analysis = createResourceAnalysisContext(program, { timers: context.options.timers, checkModuleTopLevel: true });
    for (const filePath of context.targetFiles) {
      const sourceFile = program.getSourceFile(filePath);
      if (sourceFile === undefined) continue;
      const plan = planUsingConversions(sourceFile, analysis);
      const lineOf = (position: number): number => sourceFile.getLineAndCharacterOfPosition(position).line + 1;
      for (const conversion of plan.conversions) {
        result.conversions.push({ filePath, line: lineOf(conversion.acquisition.expression.getStart(sourceFile)), message: conversion.description });
      }
      for (const refusal of plan.refusals) {
        result.refusals.push({ filePath, line: lineOf(refusal.node.getStart(sourceFile)), message: `\`${refusal.acquisition.acquirer}\` not converted: ${refusal.reason}` });
      }
      if (plan.edits.length > 0) result.edits.set(filePath, plan.edits);
      if (plan.conversions.length > 0) {
        const warning = checkUsingRuntimeFloor(filePath, program);
        if (warning !== undefined && !result.warnings.some((known) => known.filePath === warning.filePath)) result.warnings.push(warning);
      }
    }
    return result;
  },
};

export default toUsing;
