package dev.berth.volume.support;

import dev.berth.contracts.Topics;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.json.JsonCodec;
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

import static org.awaitility.Awaitility.await;

/**
 * Every CloudEvent on the public stream {@code berth.events}, read from the start without a group, as
 * any outside Kafka client would: the key is the subject, the value the whole event.
 */
public final class PublicEventLog implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    public PublicEventLog(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS.name(), Duration.ofSeconds(30))
                .stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** The records keyed by {@code subject} so far, in topic order. */
    public synchronized List<ConsumerRecord<String, byte[]>> records(String subject) {
        consumer.poll(Duration.ofMillis(50)).forEach(records::add);
        return records.stream().filter(r -> subject.equals(r.key())).toList();
    }

    /** Waits until at least {@code count} records are keyed by {@code subject}, and returns them all. */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String subject, int count) {
        return await().atMost(WAIT).until(() -> records(subject), seen -> seen.size() >= count);
    }

    /** The records' values as the events they carry. */
    public static List<CloudEvent> events(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(r -> JsonCodec.decode(r.value(), CloudEvent.class)).toList();
    }

    /** The types, in order. */
    public static List<String> types(List<CloudEvent> events) {
        return events.stream().map(CloudEvent::type).toList();
    }

    @Override
    public synchronized void close() {
        consumer.close();
    }
}
