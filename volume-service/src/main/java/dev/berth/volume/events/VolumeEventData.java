package dev.berth.volume.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;

/**
 * The {@code data} of a volume's public event on {@code berth.events}: the volume after the change,
 * without the internals an outside reader has no use for (row version, size), and why it happened.
 * The volume's fields are always present (null when empty) so every event of a type has one shape;
 * the ones that only some changes have are left out when absent.
 *
 * @param attachedNodeId the node holding the volume after the change; null when nobody does
 * @param fencingEpoch   raised by every attachment and fence: a holder with an older one is stale
 * @param state          the volume's state after the change ({@code ATTACHED}, {@code FENCED} …)
 * @param taskId         the task the change concerns: the one attached, detached, fenced or refused
 * @param reason         why, in words: the refusal's reason, the fence's cause, the release's reason
 * @param refusedCommand {@code attach} or {@code delete}, on a {@code dev.berth.volume.refused} event only
 */
public record VolumeEventData(String volumeId, String appId, String identity, String type, String provider,
                              String nodeId, String attachedNodeId, String attachedTaskId, long fencingEpoch,
                              String state,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String taskId,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String reason,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String refusedCommand) {

    /** The data of {@code event}; {@code refusedCommand} is null unless the event is a refusal. */
    static VolumeEventData of(VolumeEvent event, String refusedCommand) {
        VolumeSnapshot v = event.volume();
        return new VolumeEventData(v.volumeId(), v.appId(), v.identity(), name(v.type()), v.provider(), v.nodeId(),
                v.attachedNodeId(), v.attachedTaskId(), v.fencingEpoch(), name(v.state()), event.taskId(),
                event.reason(), refusedCommand);
    }

    private static String name(Enum<?> value) {
        return value == null ? null : value.name();
    }
}
