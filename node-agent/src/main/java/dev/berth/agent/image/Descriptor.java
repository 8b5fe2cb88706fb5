package dev.berth.agent.image;

/**
 * One piece of an image as a manifest points at it (OCI content descriptor): its kind, the digest its
 * bytes must have and their length, which are checked on every download.
 *
 * @param mediaType what the blob is (a layer's tar, gzipped or not; the config JSON)
 * @param digest    {@code sha256:<hex>} of the blob's bytes
 * @param size      its length in bytes
 */
public record Descriptor(String mediaType, String digest, long size) {
}
