import { describe, expect, it } from 'vitest';

import { releaseDoesNothing } from '../../../analysis/resources/empty-release.js';
import { getDisposalMembers } from '../../../analysis/resources/disposal.js';
import { typeOfVariable as typeOf } from '../resource-test-program.js';

const classes = `
declare const pool: { get(): { release(): void } };
abstract class Base {
  protected connection: { release(): void } | undefined;
  public exposed: { release(): void } | undefined;
}
class FlagOnly {
  private isReleased = false;
  release(): Promise<void> {
    this.isReleased = true;
    return Promise.resolve();
  }
  async [Symbol.asyncDispose]() {}
}
class UnsetField extends Base {
  release(): void {
    if (this.connection) this.connection.release();
  }
}
class PublicField extends Base {
  release(): void {
    if (this.exposed) this.exposed.release();
  }
}
class SetField extends Base {
  query(): void {
    this.connection = pool.get();
  }
  release(): void {
    if (this.connection) this.connection.release();
  }
}
class AssignedWhole extends Base {
  constructor(options: Partial<AssignedWhole>) {
    super();
    Object.assign(this, options);
  }
  release(): void {
    if (this.connection) this.connection.release();
  }
}
class Calls {
  release(): void {
    console.info('released');
  }
}
class DisposesForReal {
  release(): void {}
  async [Symbol.asyncDispose]() {
    await fetch('https://example.test/release');
  }
}
interface Declared {
  release(): void;
}
`;

describe('releaseDoesNothing', () => {
  it.each([
    ['flagOnly: FlagOnly', ['release'], true],
    ['unsetField: UnsetField', ['release'], true],
    ['publicField: PublicField', ['release'], false],
    ['setField: SetField', ['release'], false],
    ['assignedWhole: AssignedWhole', ['release'], false],
    ['calls: Calls', ['release'], false],
    ['declared: Declared', ['release'], false],
    ['maybe: FlagOnly | Calls', ['release'], false],
    ['flagOnly: FlagOnly', ['close'], false],
    ['flagOnly: FlagOnly', [], false],
  ])('%s, releasing by %j → %s', (declaration, members, expected) => {
    const name = declaration.split(':')[0] ?? '';
    const { type, checker } = typeOf(`${classes}declare const ${declaration};`, name);
    expect(releaseDoesNothing(type, members, checker)).toBe(expected);
  });

  it('weighs the disposal symbol too: an empty one does nothing, one that does I/O does something', () => {
    for (const [declaration, expected] of [
      ['flagOnly: FlagOnly', true],
      ['disposesForReal: DisposesForReal', false],
    ] as const) {
      const name = declaration.split(':')[0] ?? '';
      const { type, checker } = typeOf(`${classes}declare const ${declaration};`, name);
      expect(releaseDoesNothing(type, ['release', ...getDisposalMembers(type, checker)], checker)).toBe(expected);
    }
  });
});
