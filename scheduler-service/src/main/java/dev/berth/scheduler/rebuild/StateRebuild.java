package dev.berth.scheduler.rebuild;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicHandlers;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.core.StateRestore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds a fresh {@link SchedulerCore} from Kafka when this process takes over: the compacted state
 * topics, node reports and node admin commands from the beginning up to their current end, and volume
 * events up to where the previous leader had acted on them.
 *
 * <p>Why a class of its own: the scheduler keeps no state but what the compacted topics hold, so this
 * is the one place that says which topic restores what and where reading stops; what is restored here
 * is never acted on (nor announced), which keeps it apart from the transaction loop that acts on input.
 */
public final class StateRebuild {
    /** Compacted topics read from the start on rebuild and then followed, without committed offsets. */
    private static final Set<String> LIVE_TOPICS = Set.of(Topics.NODE_STATUS.name(), Topics.NODE_ADMIN.name());

    private StateRebuild() {
    }

    /**
     * Reads the compacted state topics, node reports and node admin commands from the beginning up to
     * their current end, and volume events up to where the previous leader had acted on them (their
     * offset is committed with each batch, so an event that arrived after its last commit is acted on
     * live, not merely restored). Records that cannot be read are added to {@code deadLetters} under
     * {@code consumerName}. Returns where node-status, node-admin and volume-events reading should continue.
     */
    public static Map<TopicPartition, Long> rebuild(KafkaConsumer<String, byte[]> kafka, SchedulerCore core,
                                                    List<ProducerRecord<String, byte[]>> deadLetters,
                                                    String consumerName) {
        TopicHandlers restorers = restorers(core);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : restorers.topicNames()) {
            kafka.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(kafka.endOffsets(partitions));
        Set<TopicPartition> volumeEvents = Set.copyOf(partitions.stream()
                .filter(tp -> tp.topic().equals(Topics.VOLUME_EVENTS.name())).toList());
        // Never acted on by any leader (a first start): all of it is history, restored, not acted on.
        kafka.committed(volumeEvents).forEach((tp, offset) -> {
            if (offset != null) {
                end.put(tp, Math.min(offset.offset(), end.get(tp)));
            }
        });
        while (partitions.stream().anyMatch(tp -> kafka.position(tp) < end.get(tp))) {
            for (ConsumerRecord<String, byte[]> record : kafka.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (volumeEvents.contains(tp) && record.offset() >= end.get(tp)) {
                    continue;
                }
                try {
                    restorers.handle(record);
                } catch (MalformedMessageException e) {
                    deadLetters.add(DeadLetters.of(record, consumerName, e.getMessage()));
                }
            }
        }
        Map<TopicPartition, Long> live = new HashMap<>();
        partitions.stream().filter(tp -> LIVE_TOPICS.contains(tp.topic()))
                .forEach(tp -> live.put(tp, kafka.position(tp)));
        volumeEvents.forEach(tp -> live.put(tp, end.get(tp)));
        return live;
    }

    /** What the rebuild restores from each topic it reads; nothing restored is acted on. */
    private static TopicHandlers restorers(SchedulerCore core) {
        StateRestore restore = core.restore();
        return new TopicHandlers()
                .on(Topics.APPS, restore::app, restore::forgetApp)
                .on(Topics.TASKS, restore::task, restore::forgetTask)
                // What the previous leader said waits: entries of apps now settled are withdrawn.
                .on(Topics.QUEUE, restore::queue, restore::forgetQueue)
                // Reports and drains of nodes: the latest stands, a tombstone changes nothing.
                .on(Topics.NODE_STATUS, restore::node)
                .on(Topics.NODE_ADMIN, restore::nodeAdmin)
                .on(Topics.VOLUME_EVENTS, restore::volume, restore::forgetVolume)
                // Unfinished deployments are carried on where the previous leader left them.
                .on(Topics.DEPLOYMENTS, restore::deployment, restore::forgetDeployment)
                // Old definitions: what a rollback restores, and what old tasks run during a deployment.
                .on(Topics.APP_VERSIONS, restore::version, key -> restore.forgetVersion(key.appId(), key.version()))
                // Failures and restarts count on from where the previous leader left them.
                .on(Topics.TASK_HISTORY, restore::history, restore::forgetHistory)
                // Who owns which path and host: the previous leader's decisions stand.
                .on(Topics.ROUTES, restore::routes, restore::forgetRoutes);
    }
}
