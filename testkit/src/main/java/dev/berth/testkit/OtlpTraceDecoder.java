package dev.berth.testkit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an OTLP {@code ExportTraceServiceRequest} (protobuf) into {@link ReceivedSpan}s, reading only the
 * fields a test asserts on and skipping the rest (scopes, events, links, status, schema URLs …).
 *
 * <p>The field numbers are those of opentelemetry-proto ({@code collector/trace/v1/trace_service.proto},
 * {@code trace/v1/trace.proto}, {@code resource/v1/resource.proto}, {@code common/v1/common.proto}):
 * <pre>
 * ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
 * ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
 * Resource      { repeated KeyValue attributes = 1; }
 * ScopeSpans    { repeated Span spans = 2; }
 * Span          { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
 *                 SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
 *                 repeated KeyValue attributes = 9; }
 * KeyValue      { string key = 1; AnyValue value = 2; }
 * AnyValue      { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
 *                         double double_value = 4; array_value = 5; kvlist_value = 6; bytes bytes_value = 7 } }
 * </pre>
 */
final class OtlpTraceDecoder {
    static final String SERVICE_NAME = "service.name";

    private OtlpTraceDecoder() {
    }

    /** Every span of the request; the whole body is read before any span is returned. */
    static List<ReceivedSpan> decode(byte[] body) {
        List<ReceivedSpan> spans = new ArrayList<>();
        ProtobufReader request = new ProtobufReader(body);
        while (request.next()) {
            if (request.is(1, ProtobufReader.LENGTH_DELIMITED)) {
                resourceSpans(request.message(), spans);
            } else {
                request.skip();
            }
        }
        return spans;
    }

    private static void resourceSpans(ProtobufReader resourceSpans, List<ReceivedSpan> into) {
        // The resource may come after its spans on the wire: the spans get its service name at the end.
        Map<String, String> resource = Map.of();
        List<ProtobufReader> spans = new ArrayList<>();
        while (resourceSpans.next()) {
            if (resourceSpans.is(1, ProtobufReader.LENGTH_DELIMITED)) {
                resource = attributesOf(resourceSpans.message(), 1);
            } else if (resourceSpans.is(2, ProtobufReader.LENGTH_DELIMITED)) {
                ProtobufReader scopeSpans = resourceSpans.message();
                while (scopeSpans.next()) {
                    if (scopeSpans.is(2, ProtobufReader.LENGTH_DELIMITED)) {
                        spans.add(scopeSpans.message());
                    } else {
                        scopeSpans.skip();
                    }
                }
            } else {
                resourceSpans.skip();
            }
        }
        String serviceName = resource.getOrDefault(SERVICE_NAME, "");
        for (ProtobufReader span : spans) {
            into.add(span(span, serviceName));
        }
    }

    private static ReceivedSpan span(ProtobufReader span, String serviceName) {
        String traceId = "";
        String spanId = "";
        String parentSpanId = "";
        String name = "";
        int kind = 0;
        long start = 0;
        long end = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        while (span.next()) {
            if (span.is(1, ProtobufReader.LENGTH_DELIMITED)) {
                traceId = hex(span.bytesValue());
            } else if (span.is(2, ProtobufReader.LENGTH_DELIMITED)) {
                spanId = hex(span.bytesValue());
            } else if (span.is(4, ProtobufReader.LENGTH_DELIMITED)) {
                parentSpanId = hex(span.bytesValue());
            } else if (span.is(5, ProtobufReader.LENGTH_DELIMITED)) {
                name = span.string();
            } else if (span.is(6, ProtobufReader.VARINT)) {
                kind = (int) span.varint();
            } else if (span.is(7, ProtobufReader.FIXED64)) {
                start = span.fixed64();
            } else if (span.is(8, ProtobufReader.FIXED64)) {
                end = span.fixed64();
            } else if (span.is(9, ProtobufReader.LENGTH_DELIMITED)) {
                keyValue(span.message(), attributes);
            } else {
                span.skip();
            }
        }
        return new ReceivedSpan(serviceName, traceId, spanId, parentSpanId, name, kind, start, end, attributes);
    }

    /** The repeated KeyValue field {@code field} of {@code message}. */
    private static Map<String, String> attributesOf(ProtobufReader message, int field) {
        Map<String, String> attributes = new LinkedHashMap<>();
        while (message.next()) {
            if (message.is(field, ProtobufReader.LENGTH_DELIMITED)) {
                keyValue(message.message(), attributes);
            } else {
                message.skip();
            }
        }
        return attributes;
    }

    private static void keyValue(ProtobufReader keyValue, Map<String, String> into) {
        String key = "";
        String value = null;
        while (keyValue.next()) {
            if (keyValue.is(1, ProtobufReader.LENGTH_DELIMITED)) {
                key = keyValue.string();
            } else if (keyValue.is(2, ProtobufReader.LENGTH_DELIMITED)) {
                value = anyValue(keyValue.message());
            } else {
                keyValue.skip();
            }
        }
        if (value != null) {
            into.put(key, value);
        }
    }

    /** A string, bool, int or double as its text; null for arrays, key-value lists, bytes and no value. */
    private static String anyValue(ProtobufReader any) {
        String value = null;
        while (any.next()) {
            if (any.is(1, ProtobufReader.LENGTH_DELIMITED)) {
                value = any.string();
            } else if (any.is(2, ProtobufReader.VARINT)) {
                value = Boolean.toString(any.varint() != 0);
            } else if (any.is(3, ProtobufReader.VARINT)) {
                value = Long.toString(any.varint());
            } else if (any.is(4, ProtobufReader.FIXED64)) {
                value = Double.toString(Double.longBitsToDouble(any.fixed64()));
            } else {
                any.skip();
            }
        }
        return value;
    }

    private static String hex(byte[] id) {
        return HexFormat.of().formatHex(id);
    }
}
