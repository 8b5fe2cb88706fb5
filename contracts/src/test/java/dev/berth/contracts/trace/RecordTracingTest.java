package dev.berth.contracts.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace context through a record's headers, with the real SDK making the spans. */
class RecordTracingTest {
    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    ended.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build();
    private final RecordTracing tracing = new RecordTracing(provider.get("test"));

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void aSpanCarriedOnARecordIsTheParentOfTheSpanItsReaderStarts() {
        Span sent = tracing.startTrace("request");
        ProducerRecord<String, byte[]> written = RecordTracing.carry(sent, new ProducerRecord<>("berth.x", "k", new byte[0]));
        sent.end();

        Span read = tracing.continueFrom(received(written), "decide berth.x", SpanKind.CONSUMER);
        read.end();

        SpanData child = ended.stream().filter(s -> s.getName().equals("decide berth.x")).findFirst().orElseThrow();
        assertEquals(sent.getSpanContext().getTraceId(), child.getTraceId());
        assertEquals(sent.getSpanContext().getSpanId(), child.getParentSpanId());
        assertEquals(SpanKind.CONSUMER, child.getKind());
        assertEquals("berth.x", child.getAttributes().asMap().entrySet().stream()
                .filter(e -> e.getKey().getKey().equals("messaging.destination.name")).findFirst().orElseThrow().getValue());
    }

    @Test
    void aRecordWithoutATraceStartsNoSpan() {
        Span read = tracing.continueFrom(received(new ProducerRecord<>("berth.x", "k", new byte[0])), "decide", SpanKind.CONSUMER);
        assertFalse(read.getSpanContext().isValid());
        read.end();
        assertTrue(ended.isEmpty(), ended.toString());
    }

    @Test
    void aMalformedTraceparentIsNoTraceRatherThanAFailure() {
        ProducerRecord<String, byte[]> written = new ProducerRecord<>("berth.x", "k", new byte[0]);
        written.headers().add(RecordTracing.TRACEPARENT, "00-not-a-trace".getBytes(StandardCharsets.UTF_8));
        Span read = tracing.continueFrom(received(written), "decide", SpanKind.CONSUMER);
        assertFalse(read.getSpanContext().isValid());
    }

    @Test
    void carryingReplacesAContextTheRecordAlreadyHadAndAnInvalidSpanWritesNothing() {
        Span first = tracing.startTrace("first");
        Span second = tracing.startTrace("second");
        ProducerRecord<String, byte[]> record = RecordTracing.carry(first, new ProducerRecord<>("berth.x", "k", new byte[0]));
        RecordTracing.carry(second, record);
        RecordTracing.carry(Span.getInvalid(), record);

        assertEquals(1, Arrays.stream(record.headers().toArray()).filter(h -> h.key().equals(RecordTracing.TRACEPARENT)).count());
        assertEquals(RecordTracing.traceparent(second),
                new String(record.headers().lastHeader(RecordTracing.TRACEPARENT).value(), StandardCharsets.UTF_8));
    }

    @Test
    void traceparentIsTheW3CFormOfASpanAndNullForNone() {
        Span span = tracing.startTrace("x");
        assertEquals("00-" + span.getSpanContext().getTraceId() + "-" + span.getSpanContext().getSpanId() + "-01",
                RecordTracing.traceparent(span));
        assertNull(RecordTracing.traceparent(Span.getInvalid()));
    }

    @Test
    void offMakesNoSpansEvenForATracedRecord() {
        Span sent = tracing.startTrace("request");
        ProducerRecord<String, byte[]> written = RecordTracing.carry(sent, new ProducerRecord<>("berth.x", "k", new byte[0]));
        assertFalse(RecordTracing.off().continueFrom(received(written), "decide", SpanKind.CONSUMER).isRecording());
    }

    @Test
    void theConfigSourceTurnsTracingOnOnlyWithAnEndpoint() {
        assertEquals("true", new TracingConfigSource(Optional.empty()).getValue("quarkus.otel.sdk.disabled"));
        assertEquals("true", new TracingConfigSource(Optional.of("  ")).getValue("quarkus.otel.sdk.disabled"));
        TracingConfigSource on = new TracingConfigSource(Optional.of("http://collector:4318"));
        assertEquals("false", on.getValue("quarkus.otel.sdk.disabled"));
        assertEquals("http://collector:4318", on.getValue("quarkus.otel.exporter.otlp.traces.endpoint"));
    }

    private static ConsumerRecord<String, byte[]> received(ProducerRecord<String, byte[]> written) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(written.topic(), 0, 7L, written.key(), written.value());
        written.headers().forEach(h -> record.headers().add(h));
        return record;
    }
}
