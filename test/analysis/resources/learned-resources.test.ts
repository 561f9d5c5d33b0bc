import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { learnResources } from '../../../analysis/resources/learned-resources.js';
import { loadAnalysisProgram } from '../fixture-program.js';

// lease.ts declares Lease (released in `finally` by three acquirers in sites.ts), Note (by one)
// Channel (only by functions handed one as a parameter), Runner (once through each of two
// implementations), and Gate, whose acquire() hands out a release function two callers call in finally.
const program = loadAnalysisProgram(fileURLToPath(new URL('../../fixtures/learned', import.meta.url)));

function summarise(minimumSites: number): { type: string; method: string; sites: string[] }[] {
  return learnResources(program, { minimumSites }).resources.map((resource) => ({
    type: resource.name,
    method: resource.method,
    sites: resource.sites.map((site) => `${basename(site.fileName)}:${String(site.line)}`),
  }));
}

describe('learnResources', () => {
  it('learns a type its acquirers release with the same method in finally, with the sites', () => {
    expect(summarise(2)).toEqual([
      { type: 'Lease', method: 'release', sites: ['sites.ts:8', 'sites.ts:17', 'sites.ts:27'] },
      { type: 'Gate#acquire', method: '', sites: ['sites.ts:79', 'sites.ts:89'] },
      { type: 'Runner', method: 'release', sites: ['sites.ts:61', 'sites.ts:70'] },
    ]);
  });

  it('credits a release to the interfaces the released class implements that declare the method', () => {
    expect(summarise(1).map((resource) => `${resource.type}×${String(resource.sites.length)}`)).toEqual(['Lease×3', 'Gate#acquire×2', 'Runner×2', 'MyRunner×1', 'Note×1', 'PgRunner×1']);
  });

  it('needs as many acquirers as asked: one finally is a coincidence at the default', () => {
    expect(summarise(4)).toEqual([]);
    expect(summarise(3).map((resource) => resource.type)).toEqual(['Lease']);
  });

  it('learns the acquirer of a release function its callers call in finally', () => {
    expect(summarise(2).find((resource) => resource.type === 'Gate#acquire')?.method).toBe('');
  });

  it('does not learn from consumers that release a parameter', () => {
    expect(summarise(1).some((resource) => resource.type === 'Channel')).toBe(false);
  });

  it('answers once per program and threshold', () => {
    expect(learnResources(program, { minimumSites: 2 })).toBe(learnResources(program, { minimumSites: 2 }));
  });
});
