// The registry key, the file name, the doc name and the docs URL are one string; test/docs.test.ts
// checks it. `scripts/new-rule.ts` adds entries at the markers below.
import noNonNullAssertionInHotPath from './no-non-null-assertion-in-hot-path.js';
import noUndisposedResources from './no-undisposed-resources.js';
import noLockAcrossAwait from './no-lock-across-await.js';
import noFloatingWithoutAbort from './no-floating-without-abort.js';
import noUnboundedQueue from './no-unbounded-queue.js';
// new-rule: imports

export const rules = {
  'no-non-null-assertion-in-hot-path': noNonNullAssertionInHotPath,
  'no-undisposed-resources': noUndisposedResources,
  'no-lock-across-await': noLockAcrossAwait,
  'no-floating-without-abort': noFloatingWithoutAbort,
  'no-unbounded-queue': noUnboundedQueue,
  // new-rule: entries
};
