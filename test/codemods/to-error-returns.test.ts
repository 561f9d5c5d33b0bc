import toErrorReturns from '../../codemods/to-error-returns.js';
import { runCodemodFixtures } from './harness.js';

runCodemodFixtures('to-error-returns', toErrorReturns);
