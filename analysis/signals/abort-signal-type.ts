import type ts from 'typescript';

import { getNonNullishConstituents, isPlatformType } from '../core/types.js';

/**
 * Whether a value of `type` is the platform's `AbortSignal`, possibly missing (`AbortSignal |
 * undefined`, `AbortSignal | null`): a forwarded optional signal is still the caller's way to
 * cancel. `any` is not: it would make every untyped argument look like a signal.
 */
export function isAbortSignalType(type: ts.Type, program: ts.Program): boolean {
  const parts = getNonNullishConstituents(type);
  return parts?.every((part) => isPlatformType(part, 'AbortSignal', program)) === true;
}
