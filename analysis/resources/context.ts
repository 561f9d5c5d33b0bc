import type ts from 'typescript';

import { type AdditionalResourceSpecifier, builtinKnownResources, type KnownResource, toKnownResources } from './known-resources.js';
import { DEFAULT_MINIMUM_LEARNED_SITES, learnResources, type LearnedResourceTable } from './learned-resources.js';
import type { TypeOrValueSpecifier } from '../core/type-matches-specifier.js';

/** A function or method, named as in the known-resource table: `pipeline`, `DisposableStack#use`. */
export interface CalleeSpecifier {
  from: 'file' | 'lib' | 'package';
  name: string;
  package?: string;
  path?: string;
}

/** What the resource analysis is told by the user (rule options or codemod flags). */
export interface ResourceAnalysisOptions {
  /** More acquisitions, in the known-resource table's shape. */
  additional?: readonly AdditionalResourceSpecifier[];
  /** Types that are never resources, although disposable. */
  ignore?: readonly TypeOrValueSpecifier[];
  /** Calls that take ownership of a resource passed to them. */
  takesOwnership?: readonly (CalleeSpecifier | string)[];
  /** Also analyse acquisitions at module top level, which otherwise live as long as the process. */
  checkModuleTopLevel?: boolean;
  /** Also treat `setInterval` handles as resources released by `clearInterval`. */
  timers?: boolean;
  /**
   * Learn the project's own resources from its `finally` releases (learned-resources.ts): on unless
   * `false`; `minimumSites` is how many acquirers must release a type before it counts.
   */
  learnResources?: false | { minimumSites?: number };
}

/** Everything the analysis needs, built once per program. */
export interface ResourceAnalysisContext {
  program: ts.Program;
  checker: ts.TypeChecker;
  knownResources: readonly KnownResource[];
  ignore: readonly TypeOrValueSpecifier[];
  takesOwnership: readonly (CalleeSpecifier | string)[];
  checkModuleTopLevel: boolean;
  /** `function declaration → parameter index → takes ownership`, filled lazily. */
  ownershipCache: Map<ts.Node, Map<number, boolean>>;
  /** `function declaration → parameter index → may open an unopened value passed there`, filled lazily. */
  openingCache: Map<ts.Node, Map<number, boolean>>;
  /** Functions whose ownership or opening question is being answered, to stop on recursion. */
  ownershipInProgress: Set<ts.Node>;
  /** The types this program teaches, learned on the first question (empty when learning is off). */
  getLearnedResources: () => LearnedResourceTable;
}

const noLearnedResources: LearnedResourceTable = { resources: [], bySymbol: new Map(), byAcquirer: new Map() };

export function createResourceAnalysisContext(
  program: ts.Program,
  options: ResourceAnalysisOptions = {},
): ResourceAnalysisContext {
  const builtins = builtinKnownResources.filter((entry) => entry.group !== 'timers' || options.timers === true);
  const learning = options.learnResources;
  let learned: LearnedResourceTable | undefined;
  return {
    program,
    checker: program.getTypeChecker(),
    knownResources: [...builtins, ...toKnownResources(options.additional ?? [])],
    ignore: options.ignore ?? [],
    takesOwnership: options.takesOwnership ?? [],
    checkModuleTopLevel: options.checkModuleTopLevel ?? false,
    ownershipCache: new Map(),
    openingCache: new Map(),
    ownershipInProgress: new Set(),
    getLearnedResources: () =>
      (learned ??= learning === false ? noLearnedResources : learnResources(program, { minimumSites: learning?.minimumSites ?? DEFAULT_MINIMUM_LEARNED_SITES })),
  };
}
