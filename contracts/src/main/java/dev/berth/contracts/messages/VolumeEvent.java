package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * A change of one volume, on the compacted {@code berth.volume-events} keyed by volume id. Written
 * only by the volume service, from its outbox: the row that changed the volume and the row of this
 * event commit in one transaction, so no event is lost and none announces a change that did not
 * happen. Read by the scheduler (launches wait for ATTACHED) and the gateway.
 *
 * @param kind    what happened
 * @param volume  the volume after the change
 * @param taskId  the task the change concerns (attach, refusal, detach); null otherwise
 * @param reason  why, in words (the refusal's reason, the fence's cause)
 */
public record VolumeEvent(String id, int schemaVersion, Instant occurredAt, String correlationId, Kind kind,
                          VolumeSnapshot volume, String taskId, String reason) implements Message {

    public enum Kind {
        /** The volume's metadata was created (at its identity's first attach). */
        CREATED,
        /** The attachment was granted to a node; the driver is provisioning the storage. */
        ATTACHING,
        /** The volume may be mounted by {@code volume.attachedNodeId()} for {@code taskId} with the epoch. */
        ATTACHED,
        /** The attach command was refused; {@code reason} says why, and nothing changed. */
        ATTACH_REFUSED,
        /** The task that held the volume ended; the volume is AVAILABLE again. */
        DETACHED,
        /** The holder's node was lost: its attachment is void and the epoch raised. */
        FENCED,
        /** The identity owning the volume went away (scale-down, replacement, app deleted); data kept. */
        RELEASED,
        /** Destroyed, data and all (an explicit delete or a wipe). */
        DELETED,
        /** A delete was refused; {@code reason} says why, and nothing changed. */
        DELETE_REFUSED
    }

    public static VolumeEvent of(Kind kind, VolumeSnapshot volume, String taskId, String reason,
                                 String correlationId) {
        return new VolumeEvent(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, kind, volume, taskId,
                reason);
    }

    public String volumeId() {
        return volume.volumeId();
    }
}
