package dev.berth.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the image tar Jib's {@code buildTar} writes (examples/hello-http's {@code target/jib-image.tar})
 * into what a registry takes. Two layouts are understood:
 * <ul>
 *   <li>{@code docker load}'s, what Jib writes for its default Docker format: {@code manifest.json}
 *       ({@code [{"Config": "config.json", "RepoTags": [...], "Layers": ["<sha256>.tar.gz", ...]}]}), the
 *       config and the gzipped layers. There is no registry manifest in it: one is made, Docker v2 schema 2,
 *       the same one Jib would have pushed (its digest is Jib's {@code target/jib-image.digest}).</li>
 *   <li>an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/<hex>}): the
 *       manifest the index names, as it is, with its blobs.</li>
 * </ul>
 */
public final class JibTar {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JibTar() {
    }

    /** The image in the tar (the first, if it holds several). */
    public static ImageContent read(Path tar) {
        Map<String, byte[]> files = entries(tar);
        if (files.containsKey("manifest.json")) {
            return fromDockerLoadLayout(files, tar);
        }
        if (files.containsKey("index.json")) {
            return fromOciLayout(files, tar);
        }
        throw new IllegalArgumentException(tar + " is neither a docker-load tar (manifest.json) nor an OCI layout"
                + " (index.json): not an image tar of Jib's");
    }

    private static ImageContent fromDockerLoadLayout(Map<String, byte[]> files, Path tar) {
        try {
            JsonNode image = JSON.readTree(files.get("manifest.json")).path(0);
            byte[] config = required(files, image.path("Config").asText(), tar);
            Map<String, byte[]> blobs = new LinkedHashMap<>();
            blobs.put(Digests.sha256(config), config);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", MediaTypes.DOCKER_MANIFEST);
            manifest.set("config", descriptor(MediaTypes.DOCKER_CONFIG, config));
            ArrayNode layers = manifest.putArray("layers");
            for (JsonNode name : image.path("Layers")) {
                byte[] layer = required(files, name.asText(), tar);
                blobs.put(Digests.sha256(layer), layer);
                layers.add(descriptor(MediaTypes.DOCKER_LAYER, layer));
            }
            return new ImageContent(MediaTypes.DOCKER_MANIFEST, JSON.writeValueAsBytes(manifest), blobs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest.json of " + tar, e);
        }
    }

    private static ImageContent fromOciLayout(Map<String, byte[]> files, Path tar) {
        try {
            JsonNode descriptor = JSON.readTree(files.get("index.json")).path("manifests").path(0);
            byte[] manifest = required(files, blobPath(descriptor.path("digest").asText()), tar);
            JsonNode parsed = JSON.readTree(manifest);
            Map<String, byte[]> blobs = new LinkedHashMap<>();
            String configDigest = parsed.path("config").path("digest").asText();
            blobs.put(configDigest, required(files, blobPath(configDigest), tar));
            for (JsonNode layer : parsed.path("layers")) {
                String digest = layer.path("digest").asText();
                blobs.put(digest, required(files, blobPath(digest), tar));
            }
            String mediaType = descriptor.path("mediaType").asText(MediaTypes.OCI_MANIFEST);
            return new ImageContent(mediaType, manifest, blobs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read index.json of " + tar, e);
        }
    }

    /**
     * A descriptor as a manifest names a blob by. Its fields in Jib's order (media type, digest, size):
     * the manifest made from a Jib tar is then byte for byte the one Jib would push, and its digest the
     * one Jib wrote to {@code target/jib-image.digest}.
     */
    static ObjectNode descriptor(String mediaType, byte[] blob) {
        ObjectNode node = JSON.createObjectNode();
        node.put("mediaType", mediaType);
        node.put("digest", Digests.sha256(blob));
        node.put("size", blob.length);
        return node;
    }

    private static String blobPath(String digest) {
        return "blobs/" + digest.replace(':', '/');
    }

    private static byte[] required(Map<String, byte[]> files, String name, Path tar) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new IllegalArgumentException(tar + " names " + name + " but has no such entry");
        }
        return content;
    }

    /** Every regular file of the tar by its name (without a leading ./): images for tests are small. */
    private static Map<String, byte[]> entries(Path tar) {
        Map<String, byte[]> files = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tar));
             TarArchiveInputStream entries = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
            for (TarArchiveEntry entry; (entry = entries.getNextEntry()) != null; ) {
                if (entry.isFile()) {
                    String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                    files.put(name, entries.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the image tar " + tar, e);
        }
        return files;
    }
}
