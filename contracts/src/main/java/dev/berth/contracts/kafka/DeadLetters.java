package dev.berth.contracts.kafka;

import dev.berth.contracts.Topic;
import dev.berth.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How a consumer sets aside a message it cannot read: the original key and bytes go to
 * {@link Topics#DEAD_LETTER} unchanged, with headers that say where it came from and why, so an
 * operator can inspect and replay it. Nothing is dropped and the consumer carries on.
 */
public final class DeadLetters {
    public static final String SOURCE_TOPIC = "berth.dlq.topic";
    public static final String SOURCE_PARTITION = "berth.dlq.partition";
    public static final String SOURCE_OFFSET = "berth.dlq.offset";
    public static final String REASON = "berth.dlq.reason";
    public static final String CONSUMER = "berth.dlq.consumer";
    /**
     * The counter every service that dead-letters keeps, tagged {@code topic} with the source topic
     * ({@code berth_dead_letters_total{topic}} in Prometheus): one name across services, so one alert
     * covers them all.
     */
    public static final String METRIC = "berth.dead.letters";
    public static final String METRIC_DESCRIPTION = "Messages set aside on the dead-letter topic, by the topic they came from";

    private DeadLetters() {
    }

    /**
     * Every topic a record could be set aside from: each service registers its {@link #METRIC} counter
     * for each at zero when it starts. Prometheus's {@code increase()} sees a counter's first step only
     * from a sample before it, so a counter born at 1 would hide a topic's first dead letter from the
     * alert and the dashboard.
     */
    public static List<String> countedTopics() {
        return Topics.catalogue().stream().map(Topic::name).filter(name -> !name.equals(Topics.DEAD_LETTER.name()))
                .toList();
    }

    public static ProducerRecord<String, byte[]> of(ConsumerRecord<String, byte[]> original, String consumer,
                                                   String reason) {
        RecordHeaders headers = new RecordHeaders(original.headers().toArray());
        headers.add(SOURCE_TOPIC, bytes(original.topic()));
        headers.add(SOURCE_PARTITION, bytes(Integer.toString(original.partition())));
        headers.add(SOURCE_OFFSET, bytes(Long.toString(original.offset())));
        headers.add(REASON, bytes(reason == null ? "unknown" : reason));
        headers.add(CONSUMER, bytes(consumer));
        return new ProducerRecord<>(Topics.DEAD_LETTER.name(), null, original.key(), original.value(), headers);
    }

    /** The topic a dead letter made by {@link #of} came from; "unknown" for any other record. */
    public static String sourceTopic(ProducerRecord<String, byte[]> deadLetter) {
        var header = deadLetter.headers().lastHeader(SOURCE_TOPIC);
        return header == null ? "unknown" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
