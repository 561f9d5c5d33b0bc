import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { typeOrValueSpecifiersSchema } from '@typescript-eslint/type-utils';
import type { JSONSchema4 } from '@typescript-eslint/utils/json-schema';
import { relative } from 'node:path';
import ts from 'typescript';

import { getAcquirerText } from '../analysis/resources/acquisition.js';
import type { AdditionalResourceSpecifier } from '../analysis/resources/known-resources.js';
import { DEFAULT_MINIMUM_LEARNED_SITES } from '../analysis/resources/learned-resources.js';
import type { CalleeSpecifier, ResourceAnalysisContext } from '../analysis/resources/context.js';
import {
  analyzeResourceLifetime,
  createResourceAnalysisContext,
  getResourceAcquisition,
  getUsingAcquisition,
  type LeakVerdict,
  type ResourceAcquisition,
} from '../analysis/resources/lifetime.js';
import type { TypeOrValueSpecifier } from '../analysis/core/type-matches-specifier.js';
import { getUsingRewrite, planUsingConversions, type UsingConversionPlan } from '../analysis/resources/using-conversion.js';
import { lineOf } from '../analysis/core/source-text.js';
import { createRule } from './utils/create-rule.js';
import { getNodeLocation } from './utils/locations.js';
import { getTypeServices } from './utils/type-services.js';

export type Options = [
  {
    additional?: AdditionalResourceSpecifier[];
    ignore?: TypeOrValueSpecifier[];
    takesOwnership?: (CalleeSpecifier | string)[];
    checkModuleTopLevel?: boolean;
    timers?: boolean;
    learnResources?: boolean;
    learnedResourceMinimumSites?: number;
  },
];

export type MessageId =
  | 'neverReleased'
  | 'releasedOnlyOnSuccess'
  | 'releasedInSomeBranches'
  | 'missedOnEarlyExit'
  | 'discarded'
  | 'borrowedTemporary'
  | 'overwritten'
  | 'acquiredInLoop'
  | 'acquireTryGap'
  | 'promiseEscapes'
  | 'doubleDispose'
  | 'suggestUsing';

const RESOURCE = '`{{name}}` ({{type}} from `{{acquirer}}`, line {{line}})';

const messages: Record<MessageId, string> = {
  neverReleased: `${RESOURCE} is never released; {{remedy}}.{{evidence}}`,
  releasedOnlyOnSuccess: `${RESOURCE} is released only when nothing throws: an exception on line {{throwLine}} skips the release; {{remedy}}.{{evidence}}`,
  releasedInSomeBranches: `${RESOURCE} is released in some branches only; {{remedy}}.{{evidence}}`,
  missedOnEarlyExit: `This \`{{exit}}\` leaves the scope of ${RESOURCE} without releasing it; {{remedy}}.{{evidence}}`,
  discarded: 'The {{type}} acquired by `{{acquirer}}` is thrown away without being released; keep it in a variable and release it.{{evidence}}',
  borrowedTemporary:
    'The {{type}} acquired by `{{acquirer}}` is passed to `{{callee}}`, which only borrows it, and nothing releases it; keep it in a variable and release it after the call.{{evidence}}',
  overwritten: `${RESOURCE} is still held when \`{{name}}\` is assigned again here, so it is never released; release it before the assignment.{{evidence}}`,
  acquiredInLoop: `${RESOURCE} is acquired in a loop and still held when the next iteration acquires another; release it in the same iteration.{{evidence}}`,
  acquireTryGap: `This can throw after ${RESOURCE} is acquired and before the \`try\` on line {{tryLine}} that releases it; start the \`try\` right after the acquisition, or {{remedy}}.{{evidence}}`,
  promiseEscapes: `This promise still uses ${RESOURCE}, which is released when the {{scope}} is left, before the promise settles; \`await\` it before returning.{{evidence}}`,
  doubleDispose: '`{{name}}` is declared with `{{keyword}}`, so it is disposed when its scope ends; this `{{release}}` releases it a second time.',
  suggestUsing: 'Declare `{{name}}` with `{{keyword}}`{{others}}{{dropped}}.',
};

const calleeSpecifierSchema: JSONSchema4 = {
  oneOf: [
    { type: 'string', description: 'A function or method name: `consume`, `Pool#adopt`.' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', enum: ['file', 'lib', 'package'], description: 'Where the callee is declared.' },
        name: { type: 'string', description: 'The callee: `pipeline`, `Pool#adopt`, `new Wrapper`.' },
        package: { type: 'string', description: 'The package (`from: "package"`), Node modules as `node:stream`.' },
        path: { type: 'string', description: 'A suffix of the declaring file (`from: "file"`).' },
      },
      required: ['from', 'name'],
    },
  ],
};

/** Programs outlive a file; the ownership answers about their functions are shared across files. */
const contextsByProgram = new WeakMap<ts.Program, Map<string, ResourceAnalysisContext>>();

function getAnalysisContext(program: ts.Program, options: Options[0]): ResourceAnalysisContext {
  let byOptions = contextsByProgram.get(program);
  if (byOptions === undefined) {
    byOptions = new Map();
    contextsByProgram.set(program, byOptions);
  }
  const key = JSON.stringify(options);
  let context = byOptions.get(key);
  if (context === undefined) {
    context = createResourceAnalysisContext(program, {
      additional: options.additional ?? [],
      ignore: options.ignore ?? [],
      takesOwnership: options.takesOwnership ?? [],
      checkModuleTopLevel: options.checkModuleTopLevel ?? false,
      timers: options.timers ?? false,
      learnResources: options.learnResources === false ? false : { minimumSites: options.learnedResourceMinimumSites ?? DEFAULT_MINIMUM_LEARNED_SITES },
    });
    byOptions.set(key, context);
  }
  return context;
}

/** Steps up from an acquiring call over syntax that keeps its value, as the analysis does. */
function isAcquisitionPositionInTree(node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  let current: TSESTree.Node = node;
  let awaited = false;
  for (;;) {
    const parent = current.parent as TSESTree.Node | undefined;
    if (parent === undefined) {
      return false;
    }
    if (
      parent.type === AST_NODE_TYPES.TSAsExpression ||
      parent.type === AST_NODE_TYPES.TSNonNullExpression ||
      parent.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      parent.type === AST_NODE_TYPES.TSTypeAssertion ||
      parent.type === AST_NODE_TYPES.ChainExpression ||
      (parent.type === AST_NODE_TYPES.AwaitExpression && !awaited)
    ) {
      awaited ||= parent.type === AST_NODE_TYPES.AwaitExpression;
      current = parent;
      continue;
    }
    return (
      (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === current) ||
      (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.right === current && parent.operator === '=') ||
      parent.type === AST_NODE_TYPES.ExpressionStatement ||
      (parent.type === AST_NODE_TYPES.UnaryExpression && parent.operator === 'void') ||
      // Thrown away inside an expression (`open(p).fd`, `(open(p), next())`, `open(p) && ready`) or
      // made for a call (`log(open(p))`); the analysis decides which of these leak.
      (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === current) ||
      (parent.type === AST_NODE_TYPES.SequenceExpression && parent.expressions.at(-1) !== current) ||
      (parent.type === AST_NODE_TYPES.LogicalExpression && parent.operator === '&&' && parent.left === current) ||
      // `this.runner ?? create()`: acquired when no runner is lent.
      (parent.type === AST_NODE_TYPES.LogicalExpression && parent.operator !== '&&' && parent.right === current) ||
      ((parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) && parent.callee !== current)
    );
  }
}


function usingKeyword(acquisition: ResourceAcquisition, releasesAreAsync: boolean): 'using' | 'await using' | undefined {
  const disposal = acquisition.resource.disposal;
  if (disposal === undefined || acquisition.fallbackOf !== undefined) {
    // `using runner = this.runner ?? create()` would release the lent runner too.
    return undefined;
  }
  return disposal === 'async' || releasesAreAsync ? 'await using' : 'using';
}

/**
 * Acquisitions assigned to one variable leak the same way when the verdict and the place it names
 * (the statement that throws, the early exit) are the same: the release they share is what is
 * missing. Only assignments group; a declaration is one acquisition.
 */
function getSameLeakKey(verdict: LeakVerdict): string | undefined {
  const binding = verdict.acquisition.binding;
  if (binding.kind !== 'assignment') {
    return undefined;
  }
  const variable = binding.declaration.getStart();
  switch (verdict.kind) {
    case 'never-released':
    case 'released-in-some-branches':
      return `${variable}:${verdict.kind}`;
    case 'released-only-on-success':
      return `${variable}:${verdict.kind}:${verdict.throwSite.getStart()}`;
    case 'missed-on-early-exit':
      return `${variable}:${verdict.kind}:${verdict.exit.getStart()}`;
    default:
      return undefined;
  }
}

/**
 * Why a type the project taught is a resource, in the project's own words: where other functions
 * that acquire it release it in `finally`. The acquisition's own function is not cited.
 */
function describeLearnedEvidence(acquisition: ResourceAcquisition, cwd: string): string {
  const learned = acquisition.resource.known?.learned;
  const others = learned?.sites.filter((site) => site.owner !== acquisition.owner) ?? [];
  const example = others[0];
  if (learned === undefined || example === undefined) {
    return '';
  }
  const one = others.length === 1;
  const functions = one ? 'one other function' : `${String(others.length)} other functions`;
  const where = `(e.g. ${relative(cwd, example.fileName)}:${String(example.line)})`;
  return learned.kind === 'type'
    ? ` \`${learned.name}\` is a resource of this project: ${functions} that ${one ? 'acquires one releases' : 'acquire one release'} it with \`${learned.method}()\` in \`finally\` ${where}.`
    : ` \`${learned.name}\` hands out a release function, which ${functions} that ${one ? 'calls it calls' : 'call it call'} in \`finally\` ${where}.`;
}

/** `line 12`, `lines 12 and 14`, `lines 12, 14 and 19`. */
function formatLines(lines: readonly number[]): string {
  if (lines.length === 1) {
    return `line ${String(lines[0])}`;
  }
  return `lines ${lines.slice(0, -1).join(', ')} and ${String(lines.at(-1))}`;
}

export default createRule<Options, MessageId>({
  name: 'no-undisposed-resources',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every acquired resource to be released on every path, preferably with `using`',
      recommended: true,
      requiresTypeChecking: true,
      strictOptions: [{ checkModuleTopLevel: true, timers: true }],
    },
    hasSuggestions: true,
    messages,
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          additional: {
            type: 'array',
            description:
              'More acquisitions whose results must be released: where the acquiring function is declared and how its result is released.',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                from: { type: 'string', enum: ['file', 'lib', 'package'], description: 'Where the acquiring function is declared.' },
                name: { type: 'string', description: 'The acquiring function: `openThing`, `Pool#connect` (a method), `new Thing` (a constructor).' },
                package: { type: 'string', description: 'The package (`from: "package"`), Node modules as `node:fs`.' },
                path: { type: 'string', description: 'A suffix of the declaring file (`from: "file"`).' },
                release: {
                  type: 'array',
                  minItems: 1,
                  items: { type: 'string' },
                  description:
                    'How the result is released: `close` (a method), `closeThing(resource)` (a function taking it), `resource()` (calling it), `owner.unlock()` (a method of the object it came from), `exit-event`.',
                },
              },
              required: ['from', 'name', 'release'],
            },
          },
          ignore: {
            ...typeOrValueSpecifiersSchema,
            description: 'Disposable types that are not treated as resources (typescript-eslint `TypeOrValueSpecifier`s).',
          },
          takesOwnership: {
            type: 'array',
            items: calleeSpecifierSchema,
            description: 'Calls that take ownership of a resource passed to them, so the caller no longer has to release it.',
          },
          checkModuleTopLevel: {
            type: 'boolean',
            description: 'Also report resources acquired at module top level, which otherwise live as long as the process.',
          },
          timers: {
            type: 'boolean',
            description: 'Also treat `setInterval` handles as resources that `clearInterval` must release.',
          },
          learnResources: {
            type: 'boolean',
            description:
              'Treat a type of the project as a resource when the functions that acquire it release it with the same method in `finally` blocks at several places.',
          },
          learnedResourceMinimumSites: {
            type: 'integer',
            minimum: 1,
            description: 'How many acquiring functions must release a type in a `finally` block before it is learned as a resource.',
          },
        },
      },
    ],
    defaultOptions: [
      { additional: [], ignore: [], takesOwnership: [], checkModuleTopLevel: false, timers: false, learnResources: true, learnedResourceMinimumSites: DEFAULT_MINIMUM_LEARNED_SITES },
    ],
  },
  create(context, [options]) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    const program = services.program;
    let analysisContext: ResourceAnalysisContext | undefined;
    const getContext = (): ResourceAnalysisContext => (analysisContext ??= getAnalysisContext(program, options));
    const sourceCode = context.sourceCode;
    // The `to-using` plan of this file, made once and only when a report could carry a suggestion.
    let plan: UsingConversionPlan | undefined;
    const getPlan = (sourceFile: ts.SourceFile): UsingConversionPlan => (plan ??= planUsingConversions(sourceFile, getContext()));

    const locOf = (node: ts.Node): TSESTree.SourceLocation => getNodeLocation(sourceCode, node);

    /**
     * `verdict`, and `sameLeak`: other acquisitions into the same variable that leak the same way
     * (`let handle; if (a) handle = await openA(); else handle = await openB(); …; handle.free();`).
     * One missing `finally` is one problem, reported once at the first acquisition.
     */
    const report = (verdict: LeakVerdict, sameLeak: readonly LeakVerdict[] = []): void => {
      const { acquisition } = verdict;
      const binding = acquisition.binding;
      const name = binding.kind === 'discarded' || binding.kind === 'argument' ? '' : binding.name.text;
      const keyword = usingKeyword(acquisition, verdict.releases.some((release) => release.isAsync));
      const otherLines = sameLeak.map((other) => lineOf(other.acquisition.expression));
      const data = {
        name,
        type: acquisition.resource.typeName,
        acquirer: acquisition.acquirer,
        line: String(lineOf(acquisition.expression)) + (otherLines.length === 0 ? '' : `, and again on ${formatLines(otherLines)}`),
        remedy:
          keyword === undefined
            ? 'release it in a `finally` block'
            : `declare it with \`${keyword}\` or release it in a \`finally\` block`,
        throwLine: verdict.kind === 'released-only-on-success' ? String(lineOf(verdict.throwSite)) : '',
        exit: verdict.kind === 'missed-on-early-exit' ? (verdict.exit.getFirstToken()?.getText() ?? 'return') : '',
        tryLine: verdict.kind === 'acquire-try-gap' ? String(lineOf(verdict.tryStatement)) : '',
        scope: verdict.kind === 'promise-escapes-release-scope' && verdict.releasedBy === 'finally' ? '`try`' : 'block',
        callee: verdict.kind === 'borrowed-temporary' ? getAcquirerText(verdict.call) : '',
        evidence: describeLearnedEvidence(acquisition, context.cwd),
      };
      const nameNode = binding.kind === 'discarded' || binding.kind === 'argument' ? acquisition.valueExpression : binding.name;
      // The suggestion is the rewrite `to-using` plans for this resource, edit for edit: the
      // codemod's conversion, or the one it leaves to a person because it adds releases.
      const suggest = (): TSESLint.SuggestionReportDescriptor<MessageId>[] => {
        if (binding.kind !== 'variable' || sameLeak.length > 0) {
          return [];
        }
        const rewrite = getUsingRewrite(getPlan(acquisition.expression.getSourceFile()), acquisition);
        const self = rewrite?.members.find((member) => member.acquisition.expression === acquisition.expression);
        if (rewrite === undefined || self === undefined) {
          return [];
        }
        const others = rewrite.members.filter((member) => member !== self);
        return [
          {
            messageId: 'suggestUsing',
            data: {
              name,
              keyword: self.keyword,
              others: others.map((member) => `, \`${member.name}\` with \`${member.keyword}\``).join(''),
              dropped: rewrite.dropsRelease ? ` and drop the manual release${others.length > 0 ? 's' : ''}` : '',
            },
            fix: (fixer) => rewrite.edits.map((edit) => fixer.replaceTextRange([edit.start, edit.end], edit.text)),
          },
        ];
      };
      switch (verdict.kind) {
        case 'never-released':
          context.report({ loc: locOf(nameNode), messageId: 'neverReleased', data, suggest: suggest() });
          return;
        case 'released-only-on-success':
          context.report({
            loc: locOf(nameNode),
            messageId: 'releasedOnlyOnSuccess',
            data,
            suggest: suggest(),
          });
          return;
        case 'released-in-some-branches':
          context.report({ loc: locOf(nameNode), messageId: 'releasedInSomeBranches', data });
          return;
        case 'missed-on-early-exit':
          context.report({
            loc: locOf(verdict.exit),
            messageId: 'missedOnEarlyExit',
            data,
            suggest: suggest(),
          });
          return;
        case 'discarded':
          context.report({ loc: locOf(acquisition.valueExpression), messageId: 'discarded', data });
          return;
        case 'borrowed-temporary':
          context.report({ loc: locOf(acquisition.valueExpression), messageId: 'borrowedTemporary', data });
          return;
        case 'overwritten':
          context.report({ loc: locOf(verdict.overwrite), messageId: 'overwritten', data });
          return;
        case 'acquired-in-loop-not-released':
          context.report({ loc: locOf(nameNode), messageId: 'acquiredInLoop', data, suggest: suggest() });
          return;
        case 'acquire-try-gap':
          context.report({
            loc: locOf(verdict.gap),
            messageId: 'acquireTryGap',
            data,
            suggest: suggest(),
          });
          return;
        case 'promise-escapes-release-scope':
          context.report({
            loc: locOf(verdict.returned),
            messageId: 'promiseEscapes',
            data,
          });
          return;
        case 'double-dispose':
          context.report({
            loc: locOf(verdict.release.call),
            messageId: 'doubleDispose',
            data: {
              name,
              keyword: binding.kind === 'variable' ? binding.declarationKind : 'using',
              release: `${verdict.release.call.expression.getText()}()`,
            },
          });
          return;
      }
    };

    const check = (acquisition: ResourceAcquisition | undefined): void => {
      if (acquisition === undefined) {
        return;
      }
      const verdict = analyzeResourceLifetime(acquisition, getContext());
      switch (verdict.kind) {
        case 'using':
        case 'released-in-finally':
        case 'released-on-every-path':
        case 'escapes':
        case 'release-does-nothing':
          return;
        default: {
          const key = getSameLeakKey(verdict);
          if (key === undefined) {
            report(verdict);
            return;
          }
          const group = leaksByVariable.get(key);
          if (group === undefined) {
            leaksByVariable.set(key, [verdict]);
          } else {
            group.push(verdict);
          }
        }
      }
    };
    const leaksByVariable = new Map<string, LeakVerdict[]>();

    return {
      'Program:exit'(): void {
        for (const [first, ...others] of leaksByVariable.values()) {
          if (first !== undefined) {
            report(first, others);
          }
        }
      },
      'CallExpression, NewExpression'(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
        if (!isAcquisitionPositionInTree(node)) {
          return;
        }
        const tsNode = services.esTreeNodeToTSNodeMap.get(node);
        const acquisition = getResourceAcquisition(tsNode, getContext());
        // `using` declarations are checked once, from the declaration.
        if (
          acquisition?.binding.kind === 'variable' &&
          (acquisition.binding.declarationKind === 'using' || acquisition.binding.declarationKind === 'await using')
        ) {
          return;
        }
        check(acquisition);
      },
      VariableDeclaration(node: TSESTree.VariableDeclaration): void {
        if (node.kind !== 'using' && node.kind !== 'await using') {
          return;
        }
        for (const declarator of node.declarations) {
          check(getUsingAcquisition(services.esTreeNodeToTSNodeMap.get(declarator), getContext()));
        }
      },
    };
  },
});
