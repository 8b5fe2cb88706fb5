package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.messages.NodeCommand;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;

/**
 * Commands for one node written straight to its partition of {@code berth.node-commands}, as the
 * scheduler writes them: for benchmarks of an agent alone, where a scheduler's own time would hide
 * what the agent costs.
 */
final class NodeCommands implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final int partition;

    NodeCommands(String bootstrap, String nodeId) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        partition = NodePartitions.partitionFor(nodeId, producer.partitionsFor(Topics.NODE_COMMANDS.name()).size());
    }

    void send(NodeCommand command) {
        producer.send(new ProducerRecord<>(Topics.NODE_COMMANDS.name(), partition, command.nodeId(),
                JsonCodec.encodeBytes(command)));
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
