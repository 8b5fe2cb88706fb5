package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * How an instance is run: only {@code MESOS} (Berth's own process runtime) so far, its volumes, and on
 * a bridge network its port mappings (Marathon keeps them here, under {@code container}).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Container(String type, List<AppVolume> volumes, List<PortMapping> portMappings) {
    public static final Container MESOS = new Container("MESOS", List.of(), List.of());

    public Container {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
        portMappings = portMappings == null ? List.of() : List.copyOf(portMappings);
    }

    public Container(String type, List<AppVolume> volumes) {
        this(type, volumes, List.of());
    }

    public Container(String type) {
        this(type, List.of());
    }
}
