package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * A volume as the volume service holds it after a change: carried whole by every {@link VolumeEvent}
 * so that the latest event of a volume alone tells its state.
 *
 * @param nodeId         LOCAL: the node it lives on (its identity always returns there); null for EXTERNAL
 * @param attachedNodeId the node it is attached (or attaching) to; null when not attached
 * @param attachedTaskId the task it is attached for; null when not attached
 * @param fencingEpoch   raised by every new attachment and every fence: a holder with an older epoch
 *                       is stale and must never write again
 * @param version        the row's optimistic-locking version
 */
public record VolumeSnapshot(String volumeId, String name, String appId, String identity, VolumeType type,
                             String provider, long sizeMib, String nodeId, VolumeState state,
                             String attachedNodeId, String attachedTaskId, long fencingEpoch, long version,
                             Instant updatedAt) {
}
