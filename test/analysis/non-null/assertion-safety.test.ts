import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety', 'non-null-assertion-safety.ts', 50);
describeSafetyFixture('getNonNullAssertionSafety on invariants stated in declarations', 'declared-invariants.ts', 15);
describeSafetyFixture('getNonNullAssertionSafety under exactOptionalPropertyTypes', 'stored-targets.ts', 1, 'exact-optional');
