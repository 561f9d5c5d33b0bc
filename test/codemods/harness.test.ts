import { describe, expect, it } from 'vitest';

import { checkCodemodFixture, runCodemodFixtures } from './harness.js';
import toUsing from '../../codemods/to-using.js';
import { varToLet } from './sample-codemods.js';

runCodemodFixtures('var-to-let', varToLet);

describe('checkCodemodFixture', () => {
  it('fails a case whose expected output differs from what the codemod writes', async () => {
    await expect(checkCodemodFixture(varToLet, { name: 'wrong', input: 'var a = 1;\n', output: 'const a = 1;\n', options: {} })).rejects.toThrow(/expected 'let a = 1;\\n' to be 'const a = 1;\\n'/);
  });

  it('fails a refusal case that reports no refusal', async () => {
    await expect(checkCodemodFixture(varToLet, { name: 'silent', input: 'export const a = 1;\n', output: undefined, options: {} })).rejects.toThrow(/must report why it refused/);
  });

  it('fails a refusal case whose reason is not the one given', async () => {
    const input = `class Handle {
  close(): void {}
  [Symbol.dispose](): void {
    this.close();
  }
}
export function use(): void {
  var handle = new Handle();
  try {
    console.log('work');
  } finally {
    handle.close();
  }
}
`;
    await expect(checkCodemodFixture(toUsing, { name: 'other-reason', input, output: undefined, refusal: 'it escapes', options: {} })).rejects.toThrow(/the reason given/);
    await checkCodemodFixture(toUsing, { name: 'right-reason', input, output: undefined, refusal: '`var handle` is function-scoped: `using` would release it at the end of its block instead; make it `const` first', options: {} });
  });

  it('fails an output that does not type-check', async () => {
    await expect(checkCodemodFixture(varToLet, { name: 'ill-typed', input: 'const a: number = "x";\n', output: 'const a: number = "x";\n', options: {} })).rejects.toThrow(/the result must type-check/);
  });
});
