// The example's log: pino, one JSON line per entry on stdout. att logs through it (the store's cleanup warnings,
// the router's 5xx answers with the requestId the client got in its JSON error), redacted by att before pino sees
// anything. LOG_LEVEL=debug|info|warn|error picks the level (default info).
import pino from 'pino';

export function createLogger(destination) {
  const options = { level: process.env.LOG_LEVEL || 'info', base: { service: 'att-example' } };
  return destination ? pino(options, destination) : pino(options);
}
