package dev.berth.agent.command;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.DestroyVolume;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;

/**
 * Decides what one record of {@code berth.node-commands} means to this node, without Kafka:
 * several nodes share a partition, so most records may be someone else's.
 */
public final class NodeCommandIntake {
    private NodeCommandIntake() {
    }

    /** What a record is to this node. */
    public sealed interface Verdict permits Mine, NotMine, Unreadable {
    }

    /** A command for this node. */
    public record Mine(NodeCommand command) implements Verdict {
    }

    /** Another node's command on the shared partition, or one whose body names another node. */
    public record NotMine(String reason) implements Verdict {
    }

    /** Keyed for this node but not a command anyone can read: goes to the dead-letter topic. */
    public record Unreadable(String reason) implements Verdict {
    }

    public static Verdict classify(String nodeId, String key, byte[] value) {
        // The key decides first: a malformed record keyed for another node is that node's to
        // dead-letter, so it is set aside once, not by every agent reading the partition.
        if (!nodeId.equals(key)) {
            return new NotMine("keyed for " + key);
        }
        if (value == null) {
            return new Unreadable("empty record (tombstone) is not a NodeCommand");
        }
        NodeCommand command;
        try {
            command = JsonCodec.decode(value, NodeCommand.class);
        } catch (MalformedMessageException e) {
            return new Unreadable(e.getMessage());
        }
        if (command instanceof DestroyVolume destroy) {
            // About the node's volumes, not a task: it has no taskId, and needs a volumeId instead.
            if (command.id() == null || command.nodeId() == null || destroy.volumeId() == null) {
                return new Unreadable("DestroyVolume without id, nodeId or volumeId");
            }
        } else if (command.id() == null || command.taskId() == null || command.nodeId() == null) {
            return new Unreadable(command.getClass().getSimpleName() + " without id, nodeId or taskId");
        }
        if (command instanceof LaunchTask launch && launch.spec() == null) {
            return new Unreadable("LaunchTask without spec");
        }
        if (!nodeId.equals(command.nodeId())) {
            // Keyed for us but addressed to another node: a producer bug; doing nothing is the safe reading.
            return new NotMine("addressed to node " + command.nodeId());
        }
        return new Mine(command);
    }
}
