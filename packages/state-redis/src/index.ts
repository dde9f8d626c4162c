/**
 * @att/state-redis: the shared state of an att fleet (store total, visitor limits, cleanup lease) in one Redis.
 * `redisState({ url })` returns the AttState that `createStore` and `attachments()` take.
 */
export type { RedisStateOptions } from './options.js';
export { redisState } from './redis-state.js';
