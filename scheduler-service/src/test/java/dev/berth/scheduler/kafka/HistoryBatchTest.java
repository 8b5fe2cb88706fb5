package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A batch writes each app's task history once, its latest, and leaves every other record alone. */
class HistoryBatchTest {

    @Test
    void onlyTheLastHistoryOfEachAppInABatchIsWrittenInItsPlace() {
        List<ProducerRecord<String, byte[]>> batch = List.of(
                record(Topics.TASKS.name(), "t1", "a"),
                record(Topics.TASK_HISTORY.name(), "/web", "h1"),
                record(Topics.TASKS.name(), "t2", "b"),
                record(Topics.TASK_HISTORY.name(), "/db", "d1"),
                record(Topics.TASK_HISTORY.name(), "/web", "h2"),
                record(Topics.TASKS.name(), "t1", "c"),
                record(Topics.TASK_HISTORY.name(), "/web", null));

        List<String> written = SchedulerLoop.latestHistoriesOnly(batch).stream()
                .map(r -> r.topic().replace(Topics.PREFIX, "") + ":" + r.key() + "=" + (r.value() == null ? "∅"
                        : new String(r.value()))).toList();

        assertEquals(List.of("tasks:t1=a", "tasks:t2=b", "task-history:/db=d1", "tasks:t1=c",
                "task-history:/web=∅"), written);
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key, value == null ? null : value.getBytes());
    }
}
