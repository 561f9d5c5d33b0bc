import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety', 'non-null-assertion-safety.ts', 50);
describeSafetyFixture('getNonNullAssertionSafety under exactOptionalPropertyTypes', 'stored-targets.ts', 1, 'exact-optional');
