import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety', 'non-null-assertion-safety.ts', 50);
