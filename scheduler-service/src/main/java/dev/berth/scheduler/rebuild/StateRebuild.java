package dev.berth.scheduler.rebuild;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.scheduler.core.SchedulerCore;
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
    private static final Set<String> LIVE_TOPICS = Set.of(Topics.NODE_STATUS, Topics.NODE_ADMIN);

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
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.APPS, Topics.TASKS, Topics.QUEUE, Topics.NODE_STATUS, Topics.NODE_ADMIN,
                Topics.VOLUME_EVENTS, Topics.DEPLOYMENTS, Topics.APP_VERSIONS, Topics.TASK_HISTORY)) {
            kafka.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        kafka.assign(partitions);
        kafka.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = new HashMap<>(kafka.endOffsets(partitions));
        Set<TopicPartition> volumeEvents = Set.copyOf(partitions.stream()
                .filter(tp -> tp.topic().equals(Topics.VOLUME_EVENTS)).toList());
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
                    restore(core, record);
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

    private static void restore(SchedulerCore core, ConsumerRecord<String, byte[]> record) {
        String topic = record.topic();
        if (topic.equals(Topics.APPS)) {
            if (record.value() == null) {
                core.restore().forgetApp(record.key());
            } else {
                core.restore().app(JsonCodec.decode(record.value(), AppState.class));
            }
        } else if (topic.equals(Topics.TASKS)) {
            if (record.value() == null) {
                core.restore().forgetTask(record.key());
            } else {
                core.restore().task(JsonCodec.decode(record.value(), TaskRecord.class));
            }
        } else if (topic.equals(Topics.QUEUE)) {
            // What the previous leader said waits: entries of apps now settled are withdrawn.
            if (record.value() == null) {
                core.restore().forgetQueue(record.key());
            } else {
                core.restore().queue(JsonCodec.decode(record.value(), AppQueue.class));
            }
        } else if (topic.equals(Topics.DEPLOYMENTS)) {
            // Unfinished deployments are carried on where the previous leader left them.
            if (record.value() == null) {
                core.restore().forgetDeployment(record.key());
            } else {
                core.restore().deployment(JsonCodec.decode(record.value(), Deployment.class));
            }
        } else if (topic.equals(Topics.APP_VERSIONS)) {
            // Old definitions: what a rollback restores, and what old tasks run during a deployment.
            if (record.value() != null) {
                core.restore().version(JsonCodec.decode(record.value(), AppVersion.class));
            } else {
                // A key no scheduler wrote names nothing to forget.
                Topics.parseAppVersionKey(record.key()).ifPresent(v -> core.restore().forgetVersion(v.appId(), v.version()));
            }
        } else if (topic.equals(Topics.TASK_HISTORY)) {
            // Failures and restarts count on from where the previous leader left them.
            if (record.value() == null) {
                core.restore().forgetHistory(record.key());
            } else {
                core.restore().history(JsonCodec.decode(record.value(), AppTaskHistory.class));
            }
        } else if (topic.equals(Topics.NODE_STATUS) && record.value() != null) {
            core.restore().node(JsonCodec.decode(record.value(), NodeReport.class));
        } else if (topic.equals(Topics.NODE_ADMIN) && record.value() != null) {
            core.restore().nodeAdmin(JsonCodec.decode(record.value(), NodeAdminCommand.class));
        } else if (topic.equals(Topics.VOLUME_EVENTS)) {
            if (record.value() == null) {
                core.restore().forgetVolume(record.key());
            } else {
                core.restore().volume(JsonCodec.decode(record.value(), VolumeEvent.class));
            }
        }
    }
}
