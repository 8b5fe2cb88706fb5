package dev.berth.agent.image;

import java.util.List;

/**
 * The linux/amd64 manifest of an image, resolved from a tag or digest (through an index when the
 * image has several platforms): what to download to run it.
 *
 * @param digest    {@code sha256:<hex>} of the manifest's bytes: the image's identity, what tasks record
 * @param mediaType OCI or Docker v2 schema 2 manifest
 * @param config    the config blob (entrypoint, env, ...)
 * @param layers    the layer blobs, bottom first
 */
public record Manifest(String digest, String mediaType, Descriptor config, List<Descriptor> layers) {
    public Manifest {
        layers = List.copyOf(layers);
    }

    /** Bytes to download for the whole image (config and layers, compressed as stored). */
    public long downloadSize() {
        return config.size() + layers.stream().mapToLong(Descriptor::size).sum();
    }
}
