package dev.berth.agent.trace;

import dev.berth.contracts.Topics;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.trace.RecordTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A traced launch's span: carried by its task's statuses, ended once the task runs or ends. */
class LaunchSpansTest {
    private final SdkTracerProvider provider = SdkTracerProvider.builder().build();
    private final RecordTracing tracing = new RecordTracing(provider.get("test"));
    private final LaunchSpans launches = new LaunchSpans();

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void theStatusesOfATracedLaunchCarryItsSpanUntilTheTaskRuns() {
        Span launch = tracing.startTrace("launch task");
        launches.launching("t1", launch);

        ProducerRecord<String, byte[]> starting = report("t1", TaskState.STARTING);
        assertEquals(RecordTracing.traceparent(launch), traceparent(starting));
        assertFalse(((ReadableSpan) launch).hasEnded(), "a task starting is still being launched");

        ProducerRecord<String, byte[]> running = report("t1", TaskState.RUNNING);
        assertEquals(RecordTracing.traceparent(launch), traceparent(running));
        assertTrue(((ReadableSpan) launch).hasEnded());
        assertEquals(0, launches.inFlight());

        assertNull(traceparent(report("t1", TaskState.HEALTHY)), "after the launch, statuses are not its");
    }

    @Test
    void aLaunchThatFailsEndsItsSpanAndAnUntracedTaskCarriesNothing() {
        Span launch = tracing.startTrace("launch task");
        launches.launching("t2", launch);
        report("t2", TaskState.FAILED);
        assertTrue(((ReadableSpan) launch).hasEnded());

        launches.launching("t3", Span.getInvalid());
        assertNull(traceparent(report("t3", TaskState.RUNNING)));
        assertEquals(0, launches.inFlight());
    }

    @Test
    void aReplayedLaunchEndsTheFirstSpanAndAnAbandonedOneLeaves() {
        Span first = tracing.startTrace("launch task");
        Span replayed = tracing.startTrace("launch task");
        launches.launching("t4", first);
        launches.launching("t4", replayed);
        assertTrue(((ReadableSpan) first).hasEnded());
        assertEquals(RecordTracing.traceparent(replayed), traceparent(report("t4", TaskState.STARTING)));

        launches.abandon("t4", replayed);
        assertEquals(0, launches.inFlight());
    }

    private ProducerRecord<String, byte[]> report(String taskId, TaskState state) {
        TaskStatus status = TaskStatus.of(taskId, "/a", "n1", state, null, null, null);
        return launches.carry(status, Topics.TASK_STATUS.record(status));
    }

    private static String traceparent(ProducerRecord<String, byte[]> record) {
        var header = record.headers().lastHeader(RecordTracing.TRACEPARENT);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
