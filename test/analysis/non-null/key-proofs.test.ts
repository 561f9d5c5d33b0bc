import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety: keys taken from the collection', 'key-proofs.ts', 50);
