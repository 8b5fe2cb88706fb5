package dev.berth.contracts.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class KafkaClientFactoryTest {
    @Test
    void aConsumerReadsStringKeysAndBytesAndNeverCommitsInTheBackground() {
        Map<String, Object> settings = KafkaClientFactory.consumer("broker:9092", "me").settings();

        assertEquals("broker:9092", settings.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("me", settings.get(ConsumerConfig.CLIENT_ID_CONFIG));
        assertEquals(false, settings.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG));
        assertEquals(StringDeserializer.class, settings.get(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG));
        assertEquals(ByteArrayDeserializer.class, settings.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG));
        assertFalse(settings.containsKey(ConsumerConfig.GROUP_ID_CONFIG));
    }

    @Test
    void aReadCommittedConsumerDoesNotLetTheBrokerHoldItsFetch() {
        Map<String, Object> settings = KafkaClientFactory.consumer("broker:9092", null)
                .group("g").readCommitted(Duration.ofMillis(20)).withoutOffsetStartAt("earliest").settings();

        assertEquals("read_committed", settings.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertEquals(20, settings.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG));
        assertEquals("g", settings.get(ConsumerConfig.GROUP_ID_CONFIG));
        assertEquals("earliest", settings.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG));
        assertFalse(settings.containsKey(ConsumerConfig.CLIENT_ID_CONFIG));
    }

    @Test
    void aProducerIsIdempotentWithAcksAllAndGivesUpAfterItsAckTimeout() {
        Map<String, Object> settings = KafkaClientFactory.producer("broker:9092", "out")
                .ackTimeout(Duration.ofSeconds(5)).settings();

        assertEquals("all", settings.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, settings.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals(StringSerializer.class, settings.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG));
        assertEquals(ByteArraySerializer.class, settings.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG));
        assertEquals(5000, settings.get(ProducerConfig.MAX_BLOCK_MS_CONFIG));
        assertEquals(5000, settings.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
        assertEquals(5000, settings.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    }

    @Test
    void theSchedulersProducerIsTransactionalUnderItsFixedId() {
        Map<String, Object> settings = KafkaClientFactory.producer("broker:9092", null)
                .transactional("berth-scheduler").settings();

        assertEquals("berth-scheduler", settings.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG));
        assertEquals(true, settings.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
    }
}
