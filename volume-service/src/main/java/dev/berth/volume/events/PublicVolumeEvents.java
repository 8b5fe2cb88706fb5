package dev.berth.volume.events;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.VolumeEvent;

import java.util.Optional;

/**
 * What the public stream {@code berth.events} is told of a {@link VolumeEvent}: plain Java, no Kafka.
 *
 * <p>The relay derives the public event from the outbox row as it publishes it, so the public stream
 * follows {@code berth.volume-events} exactly: nothing announced that did not commit, nothing
 * committed left unannounced. The CloudEvent's {@code id} and {@code time} are the volume event's,
 * so an event published again after a crash is the same event, byte for byte, and a consumer drops
 * the repeat by its id.
 */
public final class PublicVolumeEvents {
    public static final String SOURCE = "/berth/volume-service";
    private static final String SUBJECT_PREFIX = "volumes/";

    private PublicVolumeEvents() {
    }

    /** The public event announcing {@code event}, or empty for the internal steps (CREATED, ATTACHING). */
    public static Optional<CloudEvent> of(VolumeEvent event) {
        return typeOf(event.kind()).map(type -> new CloudEvent(CloudEvent.SPEC_VERSION, event.id(), SOURCE, type,
                subject(event.volumeId()), event.occurredAt(), CloudEvent.JSON,
                CloudEvent.teamOf(event.volume().appId()),
                JsonCodec.mapper().valueToTree(VolumeEventData.of(event, refusedCommand(event.kind()))), null));
    }

    /** The subject, and the Kafka key, of every public event about a volume. */
    public static String subject(String volumeId) {
        return SUBJECT_PREFIX + volumeId;
    }

    static Optional<String> typeOf(VolumeEvent.Kind kind) {
        return Optional.ofNullable(switch (kind) {
            // Steps on the way to ATTACHED: an outside reader learns of the attachment once it is usable.
            case CREATED, ATTACHING -> null;
            case ATTACHED -> EventTypes.VOLUME_ATTACHED;
            case DETACHED -> EventTypes.VOLUME_DETACHED;
            case FENCED -> EventTypes.VOLUME_FENCED;
            case RELEASED -> EventTypes.VOLUME_RELEASED;
            case DELETED -> EventTypes.VOLUME_DELETED;
            case ATTACH_REFUSED, DELETE_REFUSED -> EventTypes.VOLUME_REFUSED;
        });
    }

    private static String refusedCommand(VolumeEvent.Kind kind) {
        return switch (kind) {
            case ATTACH_REFUSED -> "attach";
            case DELETE_REFUSED -> "delete";
            default -> null;
        };
    }
}
