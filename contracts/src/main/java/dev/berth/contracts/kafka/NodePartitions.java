package dev.berth.contracts.kafka;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Which partition of {@code berth.node-commands} carries a node's commands. It is the same formula
 * the Kafka producer's default partitioner uses for a keyed record, so the scheduler can simply key
 * by node id and each agent assigns itself this one partition.
 */
public final class NodePartitions {
    private NodePartitions() {
    }

    public static int partitionFor(String nodeId, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(nodeId.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }
}
