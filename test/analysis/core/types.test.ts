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

  it('spells a union in a fixed order, whatever order the checker met its members in', () => {
    const { type, checker } = typeOf(
      'class Sas { sas = 1; } class Qr { qr = 1; } declare const first: Sas; declare const either: Sas | Qr | undefined;',
      'either',
    );
    expect(checker.typeToString(type)).toBe('Sas | Qr | undefined');
    expect(getTypeDisplayName(type, checker)).toBe('Qr | Sas | undefined');
  });
});
