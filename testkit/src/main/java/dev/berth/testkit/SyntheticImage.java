package dev.berth.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image made up by a test: layers from {@link LayerTar} and a config with exactly the fields the test
 * is about (entrypoint, cmd, env, user, working dir, ports, labels), so that a test of the agent's image
 * runtime states the image it runs beside its assertions instead of depending on a built one.
 *
 * <pre>
 * String digest = ImagePusher.image()
 *         .layer(LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755).bytes())
 *         .entrypoint("/bin/busybox", "sh", "-c").cmd("echo hi")
 *         .env("GREETING", "hi").user("65532:65532").workingDir("/")
 *         .push(registry.host(), "team-a/hi", "1");
 * </pre>
 *
 * <p>OCI media types unless {@link #dockerFormat()}. The config is dated at the epoch and its fields are
 * written in a fixed order: the same calls give the same manifest digest.
 */
public final class SyntheticImage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<byte[]> layers = new ArrayList<>();
    private List<String> entrypoint;
    private List<String> cmd;
    private final Map<String, String> env = new LinkedHashMap<>();
    private String user;
    private String workingDir;
    private final List<String> exposedPorts = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String architecture = "amd64";
    private boolean docker;

    SyntheticImage() {
    }

    /** A layer on top of those before it: a gzipped tar, as {@link LayerTar#bytes()} makes. */
    public SyntheticImage layer(byte[] tarGz) {
        layers.add(tarGz.clone());
        return this;
    }

    public SyntheticImage entrypoint(String... args) {
        this.entrypoint = List.of(args);
        return this;
    }

    public SyntheticImage cmd(String... args) {
        this.cmd = List.of(args);
        return this;
    }

    /** One variable of the image's environment ({@code Env: ["NAME=value"]}), in the order given. */
    public SyntheticImage env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** {@code uid}, {@code uid:gid} or a name the image's /etc/passwd must then resolve. */
    public SyntheticImage user(String user) {
        this.user = user;
        return this;
    }

    public SyntheticImage workingDir(String workingDir) {
        this.workingDir = workingDir;
        return this;
    }

    /** An exposed port, {@code 8080/tcp}. */
    public SyntheticImage exposedPort(String port) {
        exposedPorts.add(port);
        return this;
    }

    public SyntheticImage label(String name, String value) {
        labels.put(name, value);
        return this;
    }

    /** The config's architecture ({@code amd64} unless told), and the index entry's. */
    public SyntheticImage architecture(String architecture) {
        this.architecture = architecture;
        return this;
    }

    /** Docker v2 schema 2 media types instead of OCI's (manifest, config and layers). */
    public SyntheticImage dockerFormat() {
        this.docker = true;
        return this;
    }

    /** Pushes the image, its manifest under {@code tag}; returns the manifest's digest. */
    public String push(String registryHost, String repository, String tag) {
        return new ImagePusher(new RegistryClient(registryHost)).push(content(), repository, tag);
    }

    /**
     * Pushes the image and, under {@code tag}, an index (OCI) or manifest list (Docker) with it as its one
     * {@code linux/<architecture>} entry, as multi-platform images come; returns the index's digest.
     */
    public String pushIndex(String registryHost, String repository, String tag) {
        return new ImagePusher(new RegistryClient(registryHost)).pushIndex(this, repository, tag);
    }

    /** The image's config JSON, its manifest and blobs, as {@link ImagePusher} pushes them. */
    public ImageContent content() {
        byte[] config = config();
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(Digests.sha256(config), config);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", manifestMediaType());
        manifest.set("config", JibTar.descriptor(docker ? MediaTypes.DOCKER_CONFIG : MediaTypes.OCI_CONFIG, config));
        ArrayNode layerDescriptors = manifest.putArray("layers");
        for (byte[] layer : layers) {
            blobs.put(Digests.sha256(layer), layer);
            layerDescriptors.add(JibTar.descriptor(docker ? MediaTypes.DOCKER_LAYER : MediaTypes.OCI_LAYER, layer));
        }
        return new ImageContent(manifestMediaType(), bytes(manifest), blobs);
    }

    /** The index naming {@code image} (this image's manifest) for linux/architecture. */
    ImageContent index(ImageContent image) {
        String mediaType = docker ? MediaTypes.DOCKER_MANIFEST_LIST : MediaTypes.OCI_INDEX;
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        ObjectNode entry = index.putArray("manifests").addObject();
        entry.put("mediaType", image.manifestMediaType());
        entry.put("digest", image.digest());
        entry.put("size", image.manifest().length);
        ObjectNode platform = entry.putObject("platform");
        platform.put("architecture", architecture);
        platform.put("os", "linux");
        return new ImageContent(mediaType, bytes(index), Map.of());
    }

    private String manifestMediaType() {
        return docker ? MediaTypes.DOCKER_MANIFEST : MediaTypes.OCI_MANIFEST;
    }

    private byte[] config() {
        ObjectNode root = JSON.createObjectNode();
        root.put("created", "1970-01-01T00:00:00Z");
        root.put("architecture", architecture);
        root.put("os", "linux");
        ObjectNode config = root.putObject("config");
        if (entrypoint != null) {
            entrypoint.forEach(config.putArray("Entrypoint")::add);
        }
        if (cmd != null) {
            cmd.forEach(config.putArray("Cmd")::add);
        }
        if (!env.isEmpty()) {
            ArrayNode vars = config.putArray("Env");
            env.forEach((name, value) -> vars.add(name + "=" + value));
        }
        if (user != null) {
            config.put("User", user);
        }
        if (workingDir != null) {
            config.put("WorkingDir", workingDir);
        }
        if (!exposedPorts.isEmpty()) {
            ObjectNode ports = config.putObject("ExposedPorts");
            exposedPorts.forEach(port -> ports.putObject(port));
        }
        if (!labels.isEmpty()) {
            ObjectNode labelNode = config.putObject("Labels");
            labels.forEach(labelNode::put);
        }
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(layer -> diffIds.add(Digests.diffId(layer)));
        return bytes(root);
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always writes", e);
        }
    }
}
