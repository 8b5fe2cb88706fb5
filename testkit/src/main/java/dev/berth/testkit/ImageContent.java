package dev.berth.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image as a registry takes it: a manifest (its bytes, exactly, since its digest is of them) and
 * the blobs it names (config and layers) by digest. What {@link ImagePusher} pushes, whether it came from
 * a Jib tar ({@link JibTar}) or was made up in a test ({@link SyntheticImage}).
 */
public record ImageContent(String manifestMediaType, byte[] manifest, Map<String, byte[]> blobs) {
    public ImageContent {
        manifest = manifest.clone();
        blobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobs));
    }

    /** The manifest's digest: what a registry answers for it and a puller can pin. */
    public String digest() {
        return Digests.sha256(manifest);
    }

    @Override
    public byte[] manifest() {
        return manifest.clone();
    }
}
