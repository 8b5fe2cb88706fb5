package dev.berth.volume.kafka;

import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import java.util.concurrent.CompletableFuture;

/**
 * A record as {@code contracts} builds it ({@code Topic.record}, {@code DeadLetters.of}), as a message
 * for an outgoing connector channel: same topic, key, value and headers. {@code acked} completes when
 * the broker has the record (the channel waits for the write), or fails with why it does not.
 */
public final class KafkaMessages {
    private KafkaMessages() {
    }

    public static Message<byte[]> of(ProducerRecord<String, byte[]> record, CompletableFuture<Void> acked) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(record.topic())
                .withKey(record.key())
                .withHeaders(record.headers())
                .build();
        return Message.of(record.value(), Metadata.of(metadata),
                () -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
    }
}
