import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety for index reads kept in bounds', 'index-bounds.ts', 50);
