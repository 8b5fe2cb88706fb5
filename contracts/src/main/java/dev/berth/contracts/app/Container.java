package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * How an instance is run: {@code MESOS} (a command on the node, or an image as Mesos's universal
 * containerizer runs it) or {@code DOCKER} (an image; Berth runs it the same way, with no Docker engine),
 * its volumes, on a bridge network its port mappings (Marathon keeps them here, under {@code container}),
 * and the image, if any, under Marathon's name {@code docker}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Container(String type, List<AppVolume> volumes, List<PortMapping> portMappings,
                        ContainerImage docker) {
    public static final Container MESOS = new Container("MESOS", List.of(), List.of());

    public Container {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }

    /** A container without an image. */
    public Container(String type, List<AppVolume> volumes, List<PortMapping> portMappings) {
        this(type, volumes, portMappings, null);
    }

    public Container(String type, List<AppVolume> volumes) {
        this(type, volumes, List.of());
    }

    public Container(String type) {
        this(type, List.of());
    }
}
