import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import {
  analyzeResourceLifetime,
  createResourceAnalysisContext,
  findResourceAcquisitions,
  type ResourceLifetimeVerdict,
  type ResourceAnalysisOptions,
} from '../../../analysis/resources/lifetime.js';
import { createProgramFor } from '../resource-test-program.js';

function verdictsFor(code: string, options: ResourceAnalysisOptions = {}): ResourceLifetimeVerdict[] {
  const { program, sourceFile } = createProgramFor(code);
  const context = createResourceAnalysisContext(program, options);
  return findResourceAcquisitions(sourceFile, context).map((acquisition) => analyzeResourceLifetime(acquisition, context));
}

function onlyVerdict(code: string, options?: ResourceAnalysisOptions): ResourceLifetimeVerdict {
  const verdicts = verdictsFor(code, options);
  expect(verdicts).toHaveLength(1);
  const [verdict] = verdicts;
  if (verdict === undefined) {
    throw new Error('no verdict');
  }
  return verdict;
}

describe('analyzeResourceLifetime: what a codemod needs', () => {
  it('released in a finally: the try, the release (own disposal, async) and the other finally statements', () => {
    const verdict = onlyVerdict(`import { open } from 'node:fs/promises';
declare function done(): void;
export async function size(path: string) {
  const fh = await open(path);
  try {
    return (await fh.stat()).size;
  } finally {
    done();
    await fh.close();
  }
}`);
    expect(verdict.kind).toBe('released-in-finally');
    if (verdict.kind !== 'released-in-finally') {
      return;
    }
    expect(verdict.release.isOwnDisposal).toBe(true);
    expect(verdict.release.isAsync).toBe(true);
    expect(verdict.release.statement.getText()).toBe('await fh.close();');
    expect(verdict.otherFinallyStatements.map((statement) => statement.getText())).toEqual(['done();']);
    expect(verdict.tryStatement.finallyBlock).toBeDefined();
    expect(verdict.acquisition.resource.disposal).toBe('async');
    expect(verdict.acquisition.resource.typeName).toBe('FileHandle');
  });

  it('a pg client release is a release but not the type’s own disposal (the type is not disposable)', () => {
    const verdict = onlyVerdict(`import type { Pool } from 'pg';
export async function count(pool: Pool) {
  const client = await pool.connect();
  try {
    return await client.query('select 1');
  } finally {
    client.release();
  }
}`);
    expect(verdict.kind).toBe('released-in-finally');
    expect(verdict.acquisition.resource.disposal).toBeUndefined();
    expect(verdict.acquisition.resource.known?.acquire).toBe('Pool#connect');
    expect(verdict.releases.map((release) => [release.isOwnDisposal, release.isAsync])).toEqual([[false, false]]);
  });

  it('a release method that the type’s [Symbol.asyncDispose] only calls is its own disposal', () => {
    const verdict = onlyVerdict(`class Session {
  async end(): Promise<void> {}
  async [Symbol.asyncDispose]() {
    await this.end();
  }
}
export async function run() {
  const session = new Session();
  try {
    await Promise.resolve(session);
  } finally {
    await session.end();
  }
}`);
    expect(verdict.kind).toBe('released-in-finally');
    expect(verdict.releases[0]?.isOwnDisposal).toBe(true);
    expect(verdict.acquisition.resource.ownDisposalMethods).toEqual(['end']);
  });

  it('ChildProcess#kill with a signal is a release but not what [Symbol.dispose] does', () => {
    const verdict = onlyVerdict(`import { spawn } from 'node:child_process';
export function run() {
  const child = spawn('ls');
  try {
    child.stdout.read();
  } finally {
    child.kill('SIGKILL');
  }
}`);
    expect(verdict.kind).toBe('released-in-finally');
    expect(verdict.releases[0]?.isOwnDisposal).toBe(false);
  });

  it('escapes: how and where', () => {
    const verdict = onlyVerdict(`import { open } from 'node:fs/promises';
export async function openLog(path: string) {
  const fh = await open(path, 'a');
  return fh;
}`);
    expect(verdict.kind).toBe('escapes');
    if (verdict.kind === 'escapes') {
      expect(verdict.how).toBe('returned');
      expect(verdict.node.getText()).toBe('fh');
    }
  });

  it('the acquire→try gap names the statement that can throw and the try', () => {
    const verdict = onlyVerdict(`import { open } from 'node:fs/promises';
declare function validate(path: string): Promise<void>;
export async function size(path: string) {
  const fh = await open(path);
  await validate(path);
  try {
    return (await fh.stat()).size;
  } finally {
    await fh.close();
  }
}`);
    expect(verdict.kind).toBe('acquire-try-gap');
    if (verdict.kind === 'acquire-try-gap') {
      expect(verdict.gap.getText()).toBe('await validate(path)');
      expect(verdict.tryStatement.kind).toBe(ts.SyntaxKind.TryStatement);
    }
  });

  it('a labelled break out of two loops with the handle held is an early exit', () => {
    const verdict = onlyVerdict(`import { open } from 'node:fs/promises';
export async function scan(groups: string[][]) {
  outer: for (const group of groups) {
    for (const path of group) {
      const fh = await open(path);
      if (path === '') {
        break outer;
      }
      await fh.close();
    }
  }
}`);
    expect(verdict.kind).toBe('missed-on-early-exit');
    if (verdict.kind === 'missed-on-early-exit') {
      expect(verdict.exit.getText()).toBe('break outer;');
    }
  });

  it('a do…while loop that releases in the same iteration is fine', () => {
    const verdict = onlyVerdict(`import { open } from 'node:fs/promises';
export async function drain(paths: string[]) {
  do {
    const fh = await open(paths.pop() ?? '');
    try {
      await fh.read();
    } finally {
      await fh.close();
    }
  } while (paths.length > 0);
}`);
    expect(verdict.kind).toBe('released-in-finally');
  });

  it('timers are resources only with the timers option', () => {
    const code = `export function tick(callback: () => void) {
  const timer = setInterval(callback, 1000);
  return timer.hasRef();
}`;
    expect(verdictsFor(code)).toEqual([]);
    expect(onlyVerdict(code, { timers: true }).kind).toBe('never-released');
  });

  it('module top level only with checkModuleTopLevel', () => {
    const code = `import { open } from 'node:fs/promises';
const log = await open('/tmp/app.log', 'a');
await log.appendFile('x');`;
    expect(verdictsFor(code)).toEqual([]);
    expect(onlyVerdict(code, { checkModuleTopLevel: true }).kind).toBe('never-released');
  });

  it('never throws on code it does not model', () => {
    const verdicts = verdictsFor(`import { open } from 'node:fs/promises';
declare const anything: any;
export async function odd(path: string) {
  const fh = await open(path);
  with0: {
    const [a = fh] = anything;
    label: for (;;) { if (a) break label; }
    void (async function* () { yield* anything; })();
    class Local { static { void fh; } }
    void Local;
    break with0;
  }
  anything(fh)?.[fh.fd]?.(...anything);
}`);
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(['escapes']);
  });
});
