import { createMemoryState } from '@att/store-core';
import { describeStateConformance } from '@att/store-core/testing';

describeStateConformance('memory', () => createMemoryState());
