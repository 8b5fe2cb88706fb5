package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * An image in a node's cache, as the node reports it ({@code GET /v1/nodes/{id}} shows them): what an
 * operator asks when a launch is slow (was the image there?) or a disk fills (what holds it?).
 *
 * @param reference the image's name as pulled, canonical ({@code 127.0.0.1:5000/berth/hello-http:1})
 * @param digest    its manifest's digest
 * @param sizeBytes what it takes on the node
 * @param lastUsed  when a task last started from it (the cache removes the least recently used first)
 */
public record NodeImage(String reference, String digest, long sizeBytes, Instant lastUsed) {
}
