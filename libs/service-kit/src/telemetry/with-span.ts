import { SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

const KIT_TRACER = '@foresight/service-kit';

/**
 * Runs `fn` inside a new active span named `name` with `attributes`; an error is recorded on the span,
 * marks it failed and is rethrown. Uses the global tracer unless one is given.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T | Promise<T>,
  tracer: Tracer = trace.getTracer(KIT_TRACER),
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
