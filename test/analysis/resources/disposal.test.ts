import { describe, expect, it } from 'vitest';

import { getAwaitedType, isThenable } from '../../../analysis/core/types.js';
import { getDisposalKind } from '../../../analysis/resources/disposal.js';
import { typeOfVariable as typeOf } from '../resource-test-program.js';

const prelude = `import type { FileHandle } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
declare class Both implements Disposable, AsyncDisposable { [Symbol.dispose](): void; [Symbol.asyncDispose](): Promise<void>; }
declare class Plain { close(): void; }
`;

describe('getDisposalKind', () => {
  it.each([
    ['handle: FileHandle', 'async'],
    ['maybe: FileHandle | undefined', 'async'],
    ['child: ChildProcess', 'sync'],
    ['both: Both', 'async'],
    ['mixed: ChildProcess | FileHandle', 'async'],
    ['branded: Plain & Disposable', 'sync'],
    ['plain: Plain', undefined],
    ['partly: Plain | FileHandle', undefined],
    ['untyped: any', undefined],
    ['unknownValue: unknown', undefined],
    ['nothing: undefined', undefined],
  ])('%s → %s', (declaration, expected) => {
    const name = declaration.split(':')[0] ?? '';
    const { type, checker } = typeOf(`${prelude}declare const ${declaration};`, name);
    expect(getDisposalKind(type, checker)).toBe(expected);
  });

  it('unwraps Promise<FileHandle> once awaited', () => {
    const { type, checker, node } = typeOf(`${prelude}declare const pending: Promise<FileHandle>;`, 'pending');
    expect(getDisposalKind(type, checker)).toBeUndefined();
    expect(isThenable(type, node, checker)).toBe(true);
    expect(getDisposalKind(getAwaitedType(type, checker), checker)).toBe('async');
  });
});
