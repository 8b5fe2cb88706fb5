package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.Container;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PortMapping;

import java.util.List;
import java.util.Set;

/**
 * Reads Marathon's {@code container}: its type (only MESOS, Berth's own runtime), its volumes
 * ({@link VolumeDefinitions}) and, on a bridge network, its port mappings ({@link PortMappingsReader}).
 */
public final class ContainerReader {
    private static final Set<String> FIELDS = Set.of("type", "volumes", "docker", "portMappings");

    private final FieldReader fields;
    private final VolumeDefinitions volumes;
    private final PortMappingsReader portMappings;

    public ContainerReader(FieldReader fields) {
        this.fields = fields;
        this.volumes = new VolumeDefinitions(fields);
        this.portMappings = new PortMappingsReader(fields);
    }

    /** {@code network}: the app's network, which decides whether it may (and by default does) map ports. */
    public Container read(JsonNode node, Isolation.Network network) {
        if (node == null || node.isNull()) {
            return network == Isolation.Network.BRIDGE
                    ? new Container("MESOS", List.of(), PortMappingsReader.DEFAULT_MAPPINGS)
                    : Container.MESOS;
        }
        if (!node.isObject()) {
            fields.error("container", "container must be an object such as {\"type\": \"MESOS\"}");
            return Container.MESOS;
        }
        fields.at("container").unknownFields(node, FIELDS);
        String type = node.path("type").asText("MESOS");
        if (type.equals("DOCKER")) {
            fields.error("container.type", "Berth has no Docker runtime yet: use type MESOS and a cmd");
        } else if (!type.equals("MESOS")) {
            fields.error("container.type", "container type must be MESOS");
        }
        List<AppVolume> appVolumes = volumes.volumes(node.get("volumes"));
        JsonNode docker = node.get("docker");
        if (docker != null && !docker.isNull() && !(docker.isContainerNode() && docker.isEmpty())) {
            fields.error("container.docker", "'container.docker' is not supported yet; remove it");
        }
        List<PortMapping> mappings = portMappings.read(node.get("portMappings"), network);
        return new Container("MESOS", appVolumes, mappings);
    }
}
