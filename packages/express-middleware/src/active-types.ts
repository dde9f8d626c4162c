/** The active-type table lives in store-core (serving/active-types.ts): the Store writes the same disposition. */
export { ACTIVE_TYPES, activeExtensionFor, essenceOf, hasActiveExtension, isActiveType } from '@att/store-core';
