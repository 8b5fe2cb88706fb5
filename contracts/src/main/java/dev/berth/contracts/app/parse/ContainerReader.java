package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.Container;
import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.app.PortMapping;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads Marathon's {@code container}: its type (MESOS or DOCKER, both run by Berth's own runtime), its
 * image ({@code docker}, see {@link ContainerImage}), its volumes ({@link VolumeDefinitions}) and, on a
 * bridge network, its port mappings ({@link PortMappingsReader}). Docker-only fields that Berth cannot
 * honour are refused by name, each with what to do instead: an app that silently lost its
 * {@code privileged} or its {@code parameters} would run, differently from what its author expects.
 */
public final class ContainerReader {
    private static final Set<String> FIELDS = Set.of("type", "volumes", "docker", "portMappings");
    private static final Set<String> DOCKER_FIELDS = Set.of("image", "forcePullImage", "privileged", "parameters",
            "network", "portMappings", "pullConfig", "credential");
    /** A reference as Docker reads one: [registry/]path[:tag][@sha256:hex], lower case path components. */
    private static final Pattern IMAGE = Pattern.compile(
            "^([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$");

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
        if (!type.equals("DOCKER") && !type.equals("MESOS")) {
            fields.error("container.type", "container type must be MESOS or DOCKER");
        }
        List<AppVolume> appVolumes = volumes.volumes(node.get("volumes"));
        ContainerImage image = image(node.get("docker"), type.equals("DOCKER"));
        List<PortMapping> mappings = portMappings.read(node.get("portMappings"), network);
        return new Container(type.equals("DOCKER") ? "DOCKER" : "MESOS", appVolumes, mappings, image);
    }

    /** {@code container.docker}: required with type DOCKER, optional with MESOS (Mesos's universal containerizer). */
    private ContainerImage image(JsonNode docker, boolean required) {
        if (docker == null || docker.isNull() || (docker.isObject() && docker.isEmpty())) {
            if (required) {
                fields.error("container.docker.image", "type DOCKER needs an image: \"docker\": {\"image\": \"…\"}");
            }
            return null;
        }
        if (!docker.isObject()) {
            fields.error("container.docker", "docker must be an object such as {\"image\": \"redis:7\"}");
            return null;
        }
        FieldReader at = fields.at("container.docker");
        at.unknownFields(docker, DOCKER_FIELDS);
        refused(docker, "privileged", node -> node.asBoolean(false),
                "Berth never runs a task privileged; remove it (or set it to false)");
        refused(docker, "parameters", node -> node.isArray() && !node.isEmpty(),
                "Berth passes no parameters to a container engine (there is none); use the app's own fields");
        refused(docker, "network", node -> !node.isNull(),
                "Docker's network field is not read; use the app's \"networks\"");
        refused(docker, "portMappings", node -> node.isArray() && !node.isEmpty(),
                "put port mappings under \"container.portMappings\" with \"networks\": [{\"mode\": \"container/bridge\"}]");
        refused(docker, "pullConfig", node -> !node.isNull(),
                "per-app pull secrets are not supported yet; give the agents the registry's credentials "
                        + "(berth.agent.registry-auth-file, docs/images.md)");
        refused(docker, "credential", node -> !node.isNull(),
                "per-app credentials are not supported yet; give the agents the registry's credentials "
                        + "(berth.agent.registry-auth-file, docs/images.md)");
        String image = at.requiredString(docker, "image", "an image reference such as \"127.0.0.1:5000/berth/hello-http:1\"");
        if (image != null && !IMAGE.matcher(image).matches()) {
            fields.error("container.docker.image", "'" + image + "' is not an image reference: "
                    + "[registry[:port]/]name[:tag][@sha256:digest], the name in lower case");
            image = null;
        }
        boolean forcePull = at.bool(docker, "forcePullImage", false);
        return image == null ? null : new ContainerImage(image, forcePull);
    }

    private void refused(JsonNode docker, String field, java.util.function.Predicate<JsonNode> used, String why) {
        JsonNode node = docker.get(field);
        if (node != null && used.test(node)) {
            fields.error("container.docker." + field, "'" + field + "' is not supported: " + why);
        }
    }
}
