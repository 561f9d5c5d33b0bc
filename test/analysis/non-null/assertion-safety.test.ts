import { describeSafetyFixture } from './safety-fixture.js';

describeSafetyFixture('getNonNullAssertionSafety', 'non-null-assertion-safety.ts', 50);
describeSafetyFixture('getNonNullAssertionSafety on invariants stated in declarations', 'declared-invariants.ts', 15);
describeSafetyFixture('getNonNullAssertionSafety on fields of decoded protobuf messages', 'decoded-messages.ts', 9);
describeSafetyFixture('getNonNullAssertionSafety under exactOptionalPropertyTypes', 'stored-targets.ts', 1, 'exact-optional');
describeSafetyFixture('getNonNullAssertionSafety on what a Node server sets on its requests', 'server-request.ts', 8);
describeSafetyFixture('getNonNullAssertionSafety on values handed to a parameter that takes them missing', 'passed-targets.ts', 12);
