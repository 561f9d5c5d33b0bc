import { ESLintUtils, type ParserServicesWithTypeInformation, type TSESLint } from '@typescript-eslint/utils';

/**
 * The parser services with a program, or `undefined` when the file is linted without type
 * information (a JS file, a file outside every tsconfig, a config without `projectService`).
 *
 * The rules of this plugin are only as good as the types behind them; guessing from syntax alone
 * would flood a JS codebase with false positives, so without a program a rule reports nothing.
 */
export function getTypeServices<MessageIds extends string, Options extends readonly unknown[]>(
  context: Readonly<TSESLint.RuleContext<MessageIds, Options>>,
): ParserServicesWithTypeInformation | undefined {
  const services = ESLintUtils.getParserServices(context, true);
  if (services.program === null) {
    return undefined;
  }
  return services;
}
