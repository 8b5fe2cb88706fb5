package dev.berth.contracts.messages;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * An order for the volume service, on {@code berth.volume-commands} keyed by volume id. Written by
 * the active scheduler (and the gateway, for an operator's delete). The service carries out each
 * command id once: a redelivered command changes nothing and announces nothing new.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AttachVolume.class, name = "AttachVolume"),
        @JsonSubTypes.Type(value = DetachVolume.class, name = "DetachVolume"),
        @JsonSubTypes.Type(value = FenceVolume.class, name = "FenceVolume"),
        @JsonSubTypes.Type(value = ReleaseVolume.class, name = "ReleaseVolume"),
        @JsonSubTypes.Type(value = DeleteVolume.class, name = "DeleteVolume")
})
public sealed interface VolumeCommand extends Message
        permits AttachVolume, DetachVolume, FenceVolume, ReleaseVolume, DeleteVolume {
    String volumeId();
}
