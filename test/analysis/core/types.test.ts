import { describe, expect, it } from 'vitest';

import { getTypeDisplayName, isThenable } from '../../../analysis/core/types.js';
import { typeOfVariable as typeOf } from '../resource-test-program.js';

const prelude = `import type { FileHandle } from 'node:fs/promises';
`;

describe('isThenable', () => {
  it('is false for any, which never counts', () => {
    const { type, checker, node } = typeOf('declare const value: any;', 'value');
    expect(isThenable(type, node, checker)).toBe(false);
  });
});

describe('getTypeDisplayName', () => {
  it('drops the nullish part of a union', () => {
    const { type, checker } = typeOf(`${prelude}declare const maybe: FileHandle | undefined;`, 'maybe');
    expect(getTypeDisplayName(type, checker)).toBe('FileHandle');
  });
});
