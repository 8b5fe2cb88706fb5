package dev.berth.agent.trace;

import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.trace.RecordTracing;
import io.opentelemetry.api.trace.Span;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The span of each task's launch on this node, from the agent reading its {@code LaunchTask} until the
 * task runs or ends: the statuses the agent reports meanwhile ({@code STARTING}, {@code RUNNING} or
 * {@code FAILED}) carry it, so the scheduler's handling of them, and the gateway's view of the task
 * running, join the trace of the request that launched it.
 *
 * <p>Why kept here and not taken from the thread: a task's statuses are reported from the supervisor's
 * workers and process watchers, long after the command's thread went back to reading; only the task id
 * ties them to the launch. Only traced launches are kept (an invalid span is not), and each leaves when
 * its task runs or ends.
 */
public final class LaunchSpans {
    private final Map<String, Span> launching = new ConcurrentHashMap<>();

    /** {@code span} is the launch of {@code taskId} (a replayed launch replaces, and ends, the first). */
    public void launching(String taskId, Span span) {
        if (!span.getSpanContext().isValid()) {
            return;
        }
        Span earlier = launching.put(taskId, span);
        if (earlier != null) {
            earlier.end();
        }
    }

    /**
     * {@code record}, reporting {@code status}, with the task's launch span on it if the launch was
     * traced; the span records the state and ends once the task runs or has ended.
     */
    public ProducerRecord<String, byte[]> carry(TaskStatus status, ProducerRecord<String, byte[]> record) {
        Span span = launching.get(status.taskId());
        if (span == null) {
            return record;
        }
        RecordTracing.carry(span, record);
        span.addEvent(status.state().name());
        if (status.state().isActive() || status.state().isTerminal()) {
            if (launching.remove(status.taskId(), span)) {
                span.setAttribute("berth.task.state", status.state().name());
                span.end();
            }
        }
        return record;
    }

    /** The launch of {@code taskId} failed before its task could report anything: its span leaves. */
    public void abandon(String taskId, Span span) {
        if (taskId != null) {
            launching.remove(taskId, span);
        }
    }

    /** How many launches are in flight (for tests). */
    int inFlight() {
        return launching.size();
    }
}
