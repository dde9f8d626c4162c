// GET /metrics in Prometheus text: @att/otel records att's metrics through the OpenTelemetry API, and
// OpenTelemetry's Prometheus exporter serves them. Chosen over prom-client because the instruments are
// OpenTelemetry's already: the same app can switch to OTLP (or add traces) by changing the reader, not the metrics.
import { instrumentAtt } from '@att/otel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** The /metrics handler for `store`'s process, and `close()` to stop recording. */
export function createMetrics(store) {
  // No server of its own: the app serves the route, on the app's port.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  // Traces need a collector to go to; an app with one passes its tracerProvider (see @att/otel's README).
  const instrumentation = instrumentAtt({ meterProvider, stores: { files: store }, traces: false });
  return {
    handler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    async close() {
      instrumentation.close();
      await meterProvider.shutdown();
    },
  };
}
