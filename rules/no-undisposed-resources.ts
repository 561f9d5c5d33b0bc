import { createRule } from './utils/create-rule.js';
import { getTypeServices } from './utils/type-services.js';

export type Options = [];
export type MessageId = 'todo';

export default createRule<Options, MessageId>({
  name: 'no-undisposed-resources',
  meta: {
    type: 'problem',
    docs: {
      description: "Require every acquired resource to be released on every path, preferably with `using`",
      recommended: true,
      requiresTypeChecking: true,
    },
    messages: {
      todo: 'TODO',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    const services = getTypeServices(context);
    if (services === undefined) {
      return {};
    }
    return {};
  },
});
