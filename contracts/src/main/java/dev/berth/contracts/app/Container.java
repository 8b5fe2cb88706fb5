package dev.berth.contracts.app;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** How an instance is run: only {@code MESOS} (Berth's own process runtime) so far, and its volumes. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Container(String type, List<AppVolume> volumes) {
    public static final Container MESOS = new Container("MESOS", List.of());

    public Container {
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    public Container(String type) {
        this(type, List.of());
    }
}
