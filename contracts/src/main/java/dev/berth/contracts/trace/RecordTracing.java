package dev.berth.contracts.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.ConfigProvider;

import java.nio.charset.StandardCharsets;
import java.util.stream.StreamSupport;

/**
 * A trace's context on Kafka records, as W3C {@code traceparent} (and {@code tracestate}) headers:
 * a service that reads a record carrying one continues that trace in a span of its own
 * ({@link #continueFrom}), and the records it writes because of it carry that span on
 * ({@link #carry}). So one trace runs from {@code POST /v1/apps} at the gateway through the
 * scheduler's transaction and the agent's launch back to the gateway's view of the task running.
 *
 * <p>Why by hand and not an instrumented client: the scheduler batches many inputs into one
 * transaction, and only it knows which input caused which output; an interceptor on the producer would
 * parent every record of a batch on whatever happened to be current. Records without a trace context
 * start no span: traffic nobody traced costs one header lookup. With tracing off (the tracer a no-op)
 * {@link #continueFrom} still parses the header but the span it gives is invalid, and an invalid span
 * is never written onto a record.
 */
public final class RecordTracing {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final RecordTracing OFF = new RecordTracing(TracerProvider.noop().get("berth"));

    private final Tracer tracer;

    public RecordTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** Tracing that makes no spans (a service without OpenTelemetry, a unit test). */
    public static RecordTracing off() {
        return OFF;
    }

    /**
     * A service's tracing: through {@code tracer} (Quarkus's) when tracing is on, {@link #off()} when the
     * configuration says {@code quarkus.otel.sdk.disabled} ({@link TracingConfigSource}: no
     * {@code BERTH_OTLP_ENDPOINT}). Why not Quarkus's tracer either way: a disabled SDK still makes real
     * spans, with ids, and drops them at the end; records would then carry a context nobody traces, and
     * a scheduler tick start traces nobody exports. Off means no span made at all.
     */
    public static RecordTracing of(Tracer tracer) {
        boolean disabled = ConfigProvider.getConfig().getOptionalValue("quarkus.otel.sdk.disabled", Boolean.class)
                .orElse(false);
        return disabled ? OFF : new RecordTracing(tracer);
    }

    /**
     * A span of {@code kind} named {@code name}, child of the trace context {@code record}'s headers carry,
     * started now; {@link Span#getInvalid()} (a no-op to end) when they carry none. The caller ends it.
     */
    public Span continueFrom(ConsumerRecord<?, ?> record, String name, SpanKind kind) {
        Context parent = W3C.extract(Context.root(), record.headers(), CARRIER);
        if (!Span.fromContext(parent).getSpanContext().isValid()) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(kind)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.kafka.destination.partition", (long) record.partition())
                .setAttribute("messaging.kafka.message.offset", record.offset())
                .startSpan();
    }

    /** False for {@link #off()}: a caller may skip gathering what only a span would record. */
    public boolean on() {
        return this != OFF;
    }

    /**
     * {@code span} made the current context, for what runs inside to log and parent on it; nothing to
     * attach for an invalid span (an untraced record), which keeps a busy loop's untraced inputs from
     * paying for a context switch each.
     */
    public static Scope enter(Span span) {
        return span.getSpanContext().isValid() ? span.makeCurrent() : Scope.noop();
    }

    /** A span that starts a trace of its own (what the scheduler decides on its clock: a node lost). */
    public Span startTrace(String name) {
        return tracer.spanBuilder(name).setNoParent().setSpanKind(SpanKind.INTERNAL).startSpan();
    }

    /** A span under whatever is current (a request's), for sending {@code topic}'s record. */
    public Span sending(String topic) {
        return tracer.spanBuilder("send " + topic).setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .startSpan();
    }

    /** Writes {@code span}'s context onto {@code record} (replacing any it had); nothing for an invalid span. */
    public static <K, V> ProducerRecord<K, V> carry(Span span, ProducerRecord<K, V> record) {
        if (span.getSpanContext().isValid()) {
            record.headers().remove(TRACEPARENT);
            record.headers().remove(TRACESTATE);
            W3C.inject(Context.root().with(span), record.headers(), CARRIER);
        }
        return record;
    }

    /**
     * {@code span}'s context as a {@code traceparent} value ({@code 00-<trace id>-<span id>-<flags>}), the
     * CloudEvents distributed-tracing extension's attribute; null for an invalid span.
     */
    public static String traceparent(Span span) {
        SpanContext context = span.getSpanContext();
        if (!context.isValid()) {
            return null;
        }
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }

    private static final HeaderCarrier CARRIER = new HeaderCarrier();

    /** Kafka headers as the propagator's carrier: the last value of a name is the one that counts. */
    private static final class HeaderCarrier implements TextMapGetter<Headers>, TextMapSetter<Headers> {
        @Override
        public Iterable<String> keys(Headers carrier) {
            return StreamSupport.stream(carrier.spliterator(), false).map(Header::key).toList();
        }

        @Override
        public String get(Headers carrier, String key) {
            if (carrier == null) {
                return null;
            }
            Header header = carrier.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }

        @Override
        public void set(Headers carrier, String key, String value) {
            if (carrier != null) {
                carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
