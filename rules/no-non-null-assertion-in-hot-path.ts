import { createRule } from './utils/create-rule.js';
import { getTypeServices } from './utils/type-services.js';

export type Options = [];
export type MessageId = 'todo';

export default createRule<Options, MessageId>({
  name: 'no-non-null-assertion-in-hot-path',
  meta: {
    type: 'problem',
    docs: {
      description: "Disallow non-null assertions on hot paths, where a wrong assumption takes the service down",
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
