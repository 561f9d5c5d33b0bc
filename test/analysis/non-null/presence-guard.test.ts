import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety: presence checks', 'presence-guard.ts', 20);
