package dev.berth.testkit;

import java.util.Map;

/**
 * One span as an {@link OtlpReceiver} decoded it from a service's OTLP export: what a test asserts on to
 * say which service traced what, and how the spans of a trace hang together.
 *
 * @param serviceName  the {@code service.name} attribute of the span's resource; "" if it had none
 * @param traceId      32 lower-case hex digits
 * @param spanId       16 lower-case hex digits
 * @param parentSpanId 16 lower-case hex digits; "" for a root span
 * @param kind         OTLP's SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer,
 *                     5 consumer
 * @param startNanos   start_time_unix_nano
 * @param endNanos     end_time_unix_nano
 * @param attributes   the span's attributes whose value is a string, bool, int or double, as text
 *                     ({@code "true"}, {@code "42"}, {@code "0.5"}); array, key-value list and bytes values
 *                     are left out
 */
public record ReceivedSpan(String serviceName, String traceId, String spanId, String parentSpanId, String name,
                           int kind, long startNanos, long endNanos, Map<String, String> attributes) {
    public static final int KIND_INTERNAL = 1;
    public static final int KIND_SERVER = 2;
    public static final int KIND_CLIENT = 3;
    public static final int KIND_PRODUCER = 4;
    public static final int KIND_CONSUMER = 5;

    public ReceivedSpan {
        attributes = Map.copyOf(attributes);
    }

    public boolean isRoot() {
        return parentSpanId.isEmpty();
    }
}
