import toUsing from '../../codemods/to-using.js';
import { runCodemodFixtures } from './harness.js';

runCodemodFixtures('to-using', toUsing);
