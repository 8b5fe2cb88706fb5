package dev.berth.testkit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OtlpReceiver} against the real OpenTelemetry OTLP/HTTP exporter, as a service's spans would reach it:
 * ids, parents, names, kinds, the resource's service name and attributes decoded, with and without gzip; and
 * a body it cannot decode refused without keeping anything.
 */
class OtlpReceiverTest {
    private static final int TIMEOUT_SECONDS = 10;

    private OtlpReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = OtlpReceiver.start();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    @Test
    void decodesAParentAndItsChildFromTheRealExporterWithServiceNameAndAttributes() {
        // Given the SDK's exporter with its default settings (protobuf, uncompressed)
        // When a service exports a server span with a child
        Exported exported = export(builder -> builder);

        // Then the receiver holds both, decoded
        assertDecoded(exported);
    }

    @Test
    void decodesGzipCompressedExports() {
        // Given the exporter compressing its requests
        // When a service exports a server span with a child
        Exported exported = export(builder -> builder.setCompression("gzip"));

        // Then they decode as uncompressed ones do
        assertDecoded(exported);
    }

    @Test
    void refusesABodyThatIsNotAnExportRequestAndKeepsNothing() throws Exception {
        // Given a body that says a field of 127 bytes follows, and ends
        byte[] truncated = {0x0A, 0x7F, 0x01};

        // When it is posted as OTLP protobuf
        int status = post(receiver.tracesUrl(), truncated, "application/x-protobuf");

        // Then it is refused, and no span is kept
        assertEquals(400, status);
        assertEquals(List.of(), receiver.spans());
    }

    @Test
    void answersNotFoundBesideTheTracesPath() throws Exception {
        assertEquals(404, post(receiver.endpoint() + "/v1/metrics", new byte[0], "application/x-protobuf"));
    }

    @Test
    void skipsUnknownFieldsOfEveryWireTypeAndKeepsTheKnownOnes() throws Exception {
        // Given a span carrying fields no OTLP version has: a varint, a fixed64, a fixed32 and a group
        // (holding a nested field), around its name and an int attribute with a negative value
        byte[] attribute = message(field(1, "delta"), field(2, message(varint(3, -5))));
        byte[] span = message(varint(99, 300), fixed64(98), field(5, "checkout"), fixed32(97),
                group(96, varint(1, 7)), field(9, attribute));
        byte[] request = message(field(1, message(field(2, message(field(2, span))))));

        // When it is posted
        int status = post(receiver.tracesUrl(), request, "application/x-protobuf");

        // Then the known fields are read and the rest stepped over
        assertEquals(200, status);
        ReceivedSpan received = receiver.spans().get(0);
        assertEquals("checkout", received.name());
        assertEquals(Map.of("delta", "-5"), received.attributes());
    }

    /** What the test's service exported: its two spans' ids. */
    private record Exported(String traceId, String parentId, String childId) {
    }

    private Exported export(UnaryOperator<OtlpHttpSpanExporterBuilder> settings) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), "berth-gateway")));
        OtlpHttpSpanExporter exporter = settings.apply(OtlpHttpSpanExporter.builder()
                .setEndpoint(receiver.tracesUrl())).build();
        SdkTracerProvider provider = SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        try {
            Tracer tracer = provider.get("dev.berth.testkit");
            Span parent = tracer.spanBuilder("POST /v1/apps").setSpanKind(SpanKind.SERVER)
                    .setAttribute("http.request.method", "POST").setAttribute("http.response.status_code", 202L)
                    .startSpan();
            Span child;
            try (Scope ignored = parent.makeCurrent()) {
                child = tracer.spanBuilder("berth.app-commands publish").setSpanKind(SpanKind.PRODUCER)
                        .setAttribute("messaging.system", "kafka").setAttribute("berth.retried", false)
                        .setAttribute("berth.share", 0.5).startSpan();
                // An event, a link and a status: fields the receiver does not read and must step over.
                child.addEvent("sent", Attributes.of(AttributeKey.longKey("partition"), 3L));
                child.addLink(parent.getSpanContext());
                child.setStatus(StatusCode.OK);
                child.end();
            }
            parent.end();
            CompletableResultCode flushed = provider.forceFlush().join(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertTrue(flushed.isSuccess(), () -> "the exporter's requests were not all answered 200: "
                    + flushed.getFailureThrowable());
            return new Exported(parent.getSpanContext().getTraceId(), parent.getSpanContext().getSpanId(),
                    child.getSpanContext().getSpanId());
        } finally {
            provider.shutdown().join(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private void assertDecoded(Exported exported) {
        List<ReceivedSpan> trace = receiver.trace(exported.traceId());
        assertEquals(2, trace.size(), () -> "spans: " + receiver.spans());
        ReceivedSpan parent = trace.stream().filter(ReceivedSpan::isRoot).findFirst().orElseThrow();
        ReceivedSpan child = trace.stream().filter(s -> !s.isRoot()).findFirst().orElseThrow();

        assertEquals(exported.parentId(), parent.spanId());
        assertEquals("POST /v1/apps", parent.name());
        assertEquals(ReceivedSpan.KIND_SERVER, parent.kind());
        assertEquals(Map.of("http.request.method", "POST", "http.response.status_code", "202"), parent.attributes());

        assertEquals(exported.childId(), child.spanId());
        assertEquals(exported.parentId(), child.parentSpanId());
        assertEquals("berth.app-commands publish", child.name());
        assertEquals(ReceivedSpan.KIND_PRODUCER, child.kind());
        assertEquals(Map.of("messaging.system", "kafka", "berth.retried", "false", "berth.share", "0.5"),
                child.attributes());

        for (ReceivedSpan span : trace) {
            assertEquals("berth-gateway", span.serviceName());
            assertEquals(exported.traceId(), span.traceId());
            assertTrue(span.startNanos() > 0 && span.endNanos() >= span.startNanos(), span::toString);
        }
    }

    private static int post(String url, byte[] body, String contentType) throws Exception {
        HttpResponse<Void> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding());
        return answer.statusCode();
    }

    // A few protobuf encoders, for the hand-made request above.

    private static byte[] message(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] field : fields) {
            out.writeBytes(field);
        }
        return out.toByteArray();
    }

    private static byte[] field(int number, String value) {
        return field(number, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] field(int number, byte[] value) {
        return message(rawVarint(number << 3 | 2), rawVarint(value.length), value);
    }

    private static byte[] varint(int number, long value) {
        return message(rawVarint(number << 3), rawVarint(value));
    }

    private static byte[] fixed64(int number) {
        return message(rawVarint(number << 3 | 1), new byte[8]);
    }

    private static byte[] fixed32(int number) {
        return message(rawVarint(number << 3 | 5), new byte[4]);
    }

    private static byte[] group(int number, byte[] content) {
        return message(rawVarint(number << 3 | 3), content, rawVarint(number << 3 | 4));
    }

    private static byte[] rawVarint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) (value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }
}
