package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An order for one node agent, on {@code berth.node-commands} keyed by node id. Written only by
 * the active scheduler; read by the agent of that node, which ignores commands whose id it has
 * already carried out (so a redelivery never launches a task twice).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LaunchTask.class, name = "LaunchTask"),
        @JsonSubTypes.Type(value = KillTask.class, name = "KillTask"),
        @JsonSubTypes.Type(value = DestroyVolume.class, name = "DestroyVolume")
})
public sealed interface NodeCommand extends Message permits LaunchTask, KillTask, DestroyVolume {
    String nodeId();

    /** The task the command is about; null for a command about the node's volumes. */
    String taskId();
}
