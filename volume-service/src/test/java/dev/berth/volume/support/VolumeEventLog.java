package dev.berth.volume.support;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * Every event on {@code berth.volume-events}, read from the start without a group, in topic order:
 * what the scheduler or the gateway would see.
 */
public final class VolumeEventLog implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public VolumeEventLog(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.VOLUME_EVENTS.name(), Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The events of one volume so far, in order. */
    public synchronized List<VolumeEvent> of(String volumeId) {
        consumer.poll(Duration.ofMillis(50)).forEach(records::add);
        return records.stream().filter(r -> volumeId.equals(r.key()))
                .map(r -> JsonCodec.decode(r.value(), VolumeEvent.class)).toList();
    }

    /** Waits until the volume's events satisfy the condition, and returns them. */
    public List<VolumeEvent> awaitEvents(String volumeId, Predicate<List<VolumeEvent>> condition) {
        return await().atMost(WAIT).until(() -> of(volumeId), condition::test);
    }

    /** Waits until the volume has at least {@code count} events, and returns them. */
    public List<VolumeEvent> awaitCount(String volumeId, int count) {
        return awaitEvents(volumeId, events -> events.size() >= count);
    }

    /** The kinds, in order. */
    public static List<VolumeEvent.Kind> kinds(List<VolumeEvent> events) {
        return events.stream().map(VolumeEvent::kind).toList();
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
