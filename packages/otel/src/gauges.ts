/**
 * The observable gauges, read at collection time from the stores the app named (no I/O: `size`, `remaining`,
 * `writesInFlight` and the backend's optional `stats()` are in-process figures).
 */
import type { BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import { METRICS } from './names.js';
import type { NamedStores } from './stores.js';

/** Registers the gauges; returns the function that unregisters them. */
export function observeStores(meter: Meter, stores: NamedStores): () => void {
  const size = meter.createObservableGauge(METRICS.storeSize, {
    unit: 'By',
    description: 'Bytes the store holds (stored plus reserved by writes in flight), as this process sees them.',
  });
  const remaining = meter.createObservableGauge(METRICS.storeRemaining, {
    unit: 'By',
    description: "Bytes left under the store's totalSizeLimit.",
  });
  const active = meter.createObservableGauge(METRICS.uploadsActive, {
    unit: '{upload}',
    description: 'Store writes in flight in this process.',
  });
  const bufferUsage = meter.createObservableGauge(METRICS.bufferUsage, {
    unit: 'By',
    description: 'Upload buffers the backend holds (S3: part buffers in use or kept for reuse).',
  });
  const bufferLimit = meter.createObservableGauge(METRICS.bufferLimit, {
    unit: 'By',
    description: "The backend's budget for upload buffers.",
  });
  const observables: Observable[] = [size, remaining, active, bufferUsage, bufferLimit];
  const callback: BatchObservableCallback = (result) => {
    for (const [store, attributes] of stores) {
      result.observe(size, store.size, attributes);
      if (Number.isFinite(store.remaining)) result.observe(remaining, store.remaining, attributes);
      result.observe(active, store.writesInFlight, attributes);
      const stats = store.backend.stats?.();
      if (stats?.bufferedBytes !== undefined) result.observe(bufferUsage, stats.bufferedBytes, attributes);
      if (stats?.bufferBudget !== undefined) result.observe(bufferLimit, stats.bufferBudget, attributes);
    }
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
