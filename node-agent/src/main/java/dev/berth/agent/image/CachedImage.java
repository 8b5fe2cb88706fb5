package dev.berth.agent.image;

import java.time.Instant;

/**
 * One image the node holds, as the node API lists them.
 *
 * @param reference      the name it was pulled by
 * @param manifestDigest its manifest's digest
 * @param sizeBytes      what its layers and config take on disk (layers shared with other images counted in each)
 * @param lastUsed       when a pull last asked for it
 */
public record CachedImage(String reference, String manifestDigest, long sizeBytes, Instant lastUsed) {
}
