/**
 * The key layout, in one place. Every key starts with the app's prefix, then a one-letter kind, so two apps with
 * different prefixes never meet and no counter name can collide with a holder name. Keys carry a PEXPIRE whenever
 * they hold nothing that lasts, so an idle visitor's keys vanish by themselves.
 *
 *   {p}c:{counter}  hash   committed bytes: `l` = lasting bytes, `{deadline ms}` = bytes leaving at that time
 *   {p}r:{counter}  hash   live reservations on the counter: holder → bytes
 *   {p}d:{counter}  zset   the same holders scored by deadline (epoch ms of the Redis clock), to purge expired ones
 *   {p}n:{counter}  string the sum of those reservations (so no operation adds them all up)
 *   {p}h:{holder}   hash   what a holder reserved: counter → bytes, `@` = its deadline
 *   {p}s:{holder}   string a settled holder (PX = settledMemoryMs): a repeated settle commits nothing
 *   {p}t:{key}      hash   a token bucket: `tokens`, `at` (ms of the last take)
 *   {p}l:{name}     string a lease: the holder's token (PX = the lease's TTL)
 *
 * The ledger scripts build `c:`/`r:`/`d:`/`n:`/`h:`/`s:` keys from the prefix themselves, because a holder's counters are
 * only known inside the script: one Redis (or a primary with replicas), not Redis Cluster.
 */
export const bucketKey = (prefix: string, key: string): string => `${prefix}t:${key}`;
export const leaseKey = (prefix: string, name: string): string => `${prefix}l:${name}`;
