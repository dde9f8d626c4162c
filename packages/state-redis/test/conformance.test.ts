// The state contract of @att/store-core, checked against Redis exactly as against the in-memory default.
import { describeStateConformance } from '@att/store-core/testing';
import { inject } from 'vitest';
import { redisState } from '../src/index.js';

const url = inject('redisUrl');

// Slots of 50 ms so that the suite's short expiries (300 ms) are not rounded up to a minute.
describeStateConformance('redis', () => redisState({ url, expirySlotMs: 50 }));
