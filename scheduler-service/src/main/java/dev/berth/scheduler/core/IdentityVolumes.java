package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The volumes one identity of a stateful app owns at one generation: each of the app's declared
 * volumes with the id it gets ({@link Volumes#volumeId}). Ids are computed, never drawn, so that a
 * scheduler that took over, the volume service and every redelivery agree on them.
 *
 * @param generation how many times the identity was given fresh volumes (a replacement); 0 at first
 */
public record IdentityVolumes(String appId, int instance, String identity, int generation, List<Volume> volumes) {

    /** One declared volume and its id for this identity and generation. */
    public record Volume(AppVolume spec, String volumeId) {
        public VolumeType type() {
            return spec.isExternal() ? VolumeType.EXTERNAL : VolumeType.LOCAL;
        }
    }

    public IdentityVolumes {
        volumes = List.copyOf(volumes);
    }

    public static IdentityVolumes of(AppDefinition def, int instance, int generation) {
        List<Volume> volumes = new ArrayList<>();
        for (AppVolume spec : def.volumes()) {
            volumes.add(new Volume(spec, Volumes.volumeId(def.id(), instance, spec, generation)));
        }
        return new IdentityVolumes(def.id(), instance, Volumes.identity(def.id(), instance), generation, volumes);
    }

    /** The generation a volume id was made at: the number after {@code ~}, 0 without one. */
    public static int generationOf(String volumeId) {
        int tilde = volumeId.lastIndexOf('~');
        if (tilde < 0 || tilde == volumeId.length() - 1) {
            return 0;
        }
        String number = volumeId.substring(tilde + 1);
        return number.chars().allMatch(Character::isDigit) && number.length() <= 6 ? Integer.parseInt(number) : 0;
    }

    public List<String> volumeIds() {
        return volumes.stream().map(Volume::volumeId).toList();
    }

    /** The drivers a node must serve for this identity, sorted. */
    public Set<String> providers() {
        Set<String> providers = new TreeSet<>();
        volumes.forEach(v -> providers.add(v.spec().provider()));
        return providers;
    }

    public Optional<Volume> volume(String volumeId) {
        return volumes.stream().filter(v -> v.volumeId().equals(volumeId)).findFirst();
    }

    /** What the task will mount, each with epoch 0 until the volume service attached it. */
    public List<VolumeMount> mounts() {
        return volumes.stream().map(v -> new VolumeMount(v.volumeId(), v.type(), v.spec().provider(),
                v.spec().containerPath(), v.spec().mode() == VolumeMode.RO, v.spec().sizeMib(), 0)).toList();
    }

    /** The order to attach {@code volume} to {@code nodeId} for {@code taskId} (and create it on first use). */
    public AttachVolume attach(Volume volume, String nodeId, String taskId, String correlationId) {
        AppVolume spec = volume.spec();
        Map<String, String> options = spec.isExternal() ? spec.external().options() : Map.of();
        return AttachVolume.of(volume.volumeId(), Volumes.volumeName(appId, instance, spec), appId, identity,
                volume.type(), spec.provider(), spec.sizeMib(), options, nodeId, taskId, correlationId);
    }
}
