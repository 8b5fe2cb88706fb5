package dev.berth.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an image means to be run, from its config blob's {@code config} object: what a task launched from
 * the image runs and with what environment when the app does not say otherwise. Missing fields are
 * empty, never null, so the launch need not tell "absent" from "empty".
 *
 * @param entrypoint   {@code Entrypoint}
 * @param cmd          {@code Cmd}: the entrypoint's arguments, or the command when there is no entrypoint
 * @param env          {@code Env}, as {@code KEY=value}
 * @param workingDir   {@code WorkingDir}; "" for the root
 * @param user         {@code User} ({@code name}, {@code uid}, {@code uid:gid}); "" when not set
 * @param exposedPorts {@code ExposedPorts} keys, like {@code 8080/tcp}
 * @param labels       {@code Labels}
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
                          List<String> exposedPorts, Map<String, String> labels) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        exposedPorts = List.copyOf(exposedPorts);
        labels = Map.copyOf(labels);
    }

    /** An image that says nothing about how to run it. */
    public static ImageConfig empty() {
        return new ImageConfig(List.of(), List.of(), List.of(), "", "", List.of(), Map.of());
    }

    /**
     * Reads a config blob (OCI image config, or Docker's, which has the same fields).
     *
     * @throws IOException when it is not JSON
     */
    public static ImageConfig parse(byte[] blob) throws IOException {
        JsonNode config = JSON.readTree(blob).path("config");
        List<String> ports = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("Labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> label = it.next();
            labels.put(label.getKey(), label.getValue().asText(""));
        }
        return new ImageConfig(strings(config.path("Entrypoint")), strings(config.path("Cmd")),
                strings(config.path("Env")), config.path("WorkingDir").asText(""), config.path("User").asText(""),
                ports, labels);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (JsonNode value : array) {
            values.add(value.asText());
        }
        return values;
    }
}
