import rule from '../../rules/no-non-null-assertion-in-hot-path.js';
import { createTypedRuleTester } from '../rule-tester.js';

createTypedRuleTester().run('no-non-null-assertion-in-hot-path', rule, {
  valid: ['const x = 1;'],
  invalid: [],
});
