package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Follows {@code berth.task-status} from the moment it is opened, on its own thread, and keeps every
 * status an agent reported with the moment ({@link System#nanoTime()}) it arrived here. The gateway
 * shows a task only while the scheduler records it, so how a task ended (its reason, its exit code)
 * is read here, as any outside consumer of the event catalogue would.
 */
public final class TaskStatusWatch implements AutoCloseable {
    private final List<Seen> seen = new ArrayList<>();
    private final TopicFollower follower;

    /** One status and when it was read. */
    public record Seen(TaskStatus status, long nanoTime) {
    }

    public TaskStatusWatch(String bootstrapServers) {
        follower = new TopicFollower(bootstrapServers, Topics.TASK_STATUS.name(), Duration.ofMillis(20),
                "task-status-watch", this::keep);
    }

    private void keep(Iterable<ConsumerRecord<String, byte[]>> records, long readAt) {
        List<Seen> batch = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            decode(record).ifPresent(status -> batch.add(new Seen(status, readAt)));
        }
        synchronized (this) {
            seen.addAll(batch);
        }
    }

    private static Optional<TaskStatus> decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonCodec.decode(record.value(), TaskStatus.class));
        } catch (MalformedMessageException e) {
            return Optional.empty(); // garbage another suite wrote on purpose
        }
    }

    /** Every status seen so far that matches, in arrival order. */
    public synchronized List<Seen> matching(Predicate<TaskStatus> filter) {
        return seen.stream().filter(s -> filter.test(s.status())).toList();
    }

    /** Waits for the first status that matches and returns it. */
    public TaskStatus await(String what, Predicate<TaskStatus> filter, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> matching(filter).stream().findFirst(), Optional::isPresent).orElseThrow().status();
    }

    @Override
    public void close() {
        follower.close();
    }
}
