import rule from '../../rules/no-undisposed-resources.js';
import { createTypedRuleTester } from '../rule-tester.js';

createTypedRuleTester().run('no-undisposed-resources', rule, {
  valid: ['const x = 1;'],
  invalid: [],
});
