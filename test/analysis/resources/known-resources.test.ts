import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { getDeclarationOrigin, getPackageNameOfPath } from '../../../analysis/core/declaration-origin.js';
import { builtinKnownResources, findKnownResource, toKnownResources } from '../../../analysis/resources/known-resources.js';
import { createProgramFor, findNode } from '../resource-test-program.js';

function knownFor(code: string, callText: string, table = builtinKnownResources) {
  const { program, sourceFile } = createProgramFor(code);
  const call = findNode(sourceFile, (node): node is ts.CallExpression | ts.NewExpression => ts.isCallExpression(node) || ts.isNewExpression(node), callText);
  const declaration = program.getTypeChecker().getResolvedSignature(call)?.getDeclaration();
  return declaration === undefined ? undefined : findKnownResource(declaration, table, program);
}

describe('findKnownResource', () => {
  it('matches pg Pool#connect, declared in @types/pg', () => {
    const entry = knownFor(`import type { Pool } from 'pg';
export async function f(pool: Pool) { return pool.connect(); }`, 'pool.connect');
    expect(entry?.acquire).toBe('Pool#connect');
    expect(entry?.release).toEqual([{ kind: 'method', name: 'release' }]);
  });

  it('matches node:fs createReadStream whether imported as fs or node:fs', () => {
    expect(knownFor(`import { createReadStream } from 'fs';
createReadStream('x');`, 'createReadStream')?.module).toBe('node:fs');
    expect(knownFor(`import * as fs from 'node:fs';
fs.createWriteStream('x');`, 'fs.createWriteStream')?.module).toBe('node:fs');
  });

  it('matches async-mutex Mutex#acquire with its releaser forms', () => {
    const entry = knownFor(`import { Mutex } from 'async-mutex';
export const release = new Mutex().acquire();`, 'new Mutex().acquire');
    expect(entry?.release).toEqual([{ kind: 'call-resource' }, { kind: 'owner-method', name: 'release' }]);
  });

  it('does not match a same-named function declared elsewhere', () => {
    expect(knownFor(`function createReadStream(path: string) { return path; }
createReadStream('x');`, 'createReadStream(')).toBeUndefined();
  });

  it('matches additional entries from a file', () => {
    const table = toKnownResources([{ from: 'file', name: 'openThing', release: ['shut', 'closeThing(resource)'] }]);
    const entry = knownFor(`declare function openThing(): object;
openThing();`, 'openThing', table);
    expect(entry?.release).toEqual([{ kind: 'method', name: 'shut' }, { kind: 'function', name: 'closeThing' }]);
  });
});

describe('getDeclarationOrigin', () => {
  it('names packages, @types packages and Node modules', () => {
    expect(getPackageNameOfPath('/repo/node_modules/@types/pg/index.d.ts')).toBe('pg');
    expect(getPackageNameOfPath('/repo/node_modules/@scope/pkg/lib/a.d.ts')).toBe('@scope/pkg');
    expect(getPackageNameOfPath('/repo/node_modules/a/node_modules/b/x.d.ts')).toBe('b');
    expect(getPackageNameOfPath('/repo/src/a.ts')).toBeUndefined();
    const { program, sourceFile } = createProgramFor(`import { open } from 'node:fs/promises';
void open;`);
    const symbol = program.getTypeChecker().getSymbolAtLocation(findNode(sourceFile, ts.isIdentifier, 'open'));
    const target = symbol === undefined ? undefined : program.getTypeChecker().getAliasedSymbol(symbol);
    const declaration = target?.declarations?.[0];
    expect(declaration === undefined ? undefined : getDeclarationOrigin(declaration, program)).toEqual({ kind: 'package', name: 'node:fs/promises' });
  });
});
