package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An operator's word on how a node may be used, on the compacted {@code berth.node-admin} keyed by
 * node id: the latest message per node is the node's wanted mode, so it survives restarts of every
 * service. Written by the gateway; read by the scheduler (which drains) and the gateway (its view).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DrainNode.class, name = "DrainNode"),
        @JsonSubTypes.Type(value = UndrainNode.class, name = "UndrainNode")
})
public sealed interface NodeAdminCommand extends Message permits DrainNode, UndrainNode {
    String nodeId();
}
