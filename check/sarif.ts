import type { ESLint } from 'eslint';
import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import { relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

import { packageInfo } from '../package-info.js';
import { REPOSITORY_URL } from '../rules/utils/create-rule.js';

/**
 * SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps) ingest. Built with
 * node-sarif-builder: Microsoft's ESLint SARIF formatter pins ESLint 8 as a dependency and would
 * install a second ESLint, while the builder only brings the SARIF types and fills in the
 * artifact table and indexes the schema asks for.
 *
 * Locations are relative to `cwd` under `%SRCROOT%`, so an upload from a CI checkout maps each
 * result onto the repository's own files.
 */
export function formatSarif(results: readonly ESLint.LintResult[], rulesMeta: ESLint.LintResultData['rulesMeta'], cwd: string): string {
  const run = new SarifRunBuilder().initSimple({
    toolDriverName: packageInfo.name,
    toolDriverVersion: packageInfo.version,
    url: REPOSITORY_URL,
  });
  const ruleIds = [...new Set(results.flatMap((result) => result.messages.flatMap((message) => message.ruleId ?? [])))].sort();
  for (const ruleId of ruleIds) {
    const docs = rulesMeta[ruleId]?.docs;
    run.addRule(
      new SarifRuleBuilder().initSimple({
        ruleId,
        shortDescriptionText: docs?.description ?? ruleId,
        ...(docs?.url === undefined ? {} : { helpUri: docs.url }),
      }),
    );
  }
  const notifications: { level: 'error'; message: { text: string } }[] = [];
  for (const result of results) {
    const fileUri = relative(cwd, result.filePath).split(sep).map(encodeURIComponent).join('/');
    for (const message of result.messages) {
      if (message.ruleId === null) {
        // A file that did not parse has no rule to file the result under; SARIF calls that a
        // notification of the run, which code scanning shows as a failed analysis of the file.
        notifications.push({ level: 'error', message: { text: `${fileUri}:${String(message.line)}: ${message.message}` } });
        continue;
      }
      const builder = new SarifResultBuilder().initSimple({
        level: message.severity === 2 ? 'error' : 'warning',
        messageText: message.message,
        ruleId: message.ruleId,
        fileUri,
        startLine: Math.max(message.line, 1),
        startColumn: Math.max(message.column, 1),
        ...(message.endLine === undefined ? {} : { endLine: message.endLine }),
        ...(message.endColumn === undefined ? {} : { endColumn: message.endColumn }),
      });
      const location = builder.result.locations?.[0]?.physicalLocation?.artifactLocation;
      if (location !== undefined) {
        location.uriBaseId = '%SRCROOT%';
      }
      run.addResult(builder);
    }
  }
  run.run.originalUriBaseIds = { '%SRCROOT%': { uri: `${pathToFileURL(cwd).href}/` } };
  run.run.invocations = [{ executionSuccessful: notifications.length === 0, toolExecutionNotifications: notifications }];
  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true });
}
