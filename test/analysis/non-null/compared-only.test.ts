import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety: compared-only values', 'compared-only.ts', 15);
