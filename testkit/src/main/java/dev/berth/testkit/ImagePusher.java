package dev.berth.testkit;

import java.nio.file.Path;
import java.util.Map;

/**
 * Puts images into a registry over the OCI distribution API, without Docker or any other tool: the
 * blobs first (each skipped if the repository has it), then the manifest under its tag, as
 * {@code docker push} does. For the tests of the agents' image runtime and for the local run, which
 * pull what this pushed.
 *
 * <ul>
 *   <li>{@link #pushTar(Path, String, String, String)}: the tar Jib's {@code buildTar} wrote
 *       (examples/hello-http), read by {@link JibTar};</li>
 *   <li>{@link #image()}: an image made up in the test, layers from {@link LayerTar}
 *       ({@link SyntheticImage}).</li>
 * </ul>
 * Each returns the digest of what it put under the tag, for a test that pins an image by digest.
 */
public final class ImagePusher {
    private final RegistryClient registry;

    /** A pusher to a registry: {@code new ImagePusher(new RegistryClient(host, user, password))} with basic auth. */
    public ImagePusher(RegistryClient registry) {
        this.registry = registry;
    }

    /** Pushes the image in a Jib tar to {@code registryHost} ({@code 127.0.0.1:5000}); returns its manifest digest. */
    public static String pushTar(Path jibTar, String registryHost, String repository, String tag) {
        return new ImagePusher(new RegistryClient(registryHost)).pushTar(jibTar, repository, tag);
    }

    /** A new image to describe and then push. */
    public static SyntheticImage image() {
        return new SyntheticImage();
    }

    /** Pushes the image in a Jib tar; returns its manifest digest. */
    public String pushTar(Path jibTar, String repository, String tag) {
        return push(JibTar.read(jibTar), repository, tag);
    }

    /** Pushes an image's blobs, then its manifest under {@code reference} (a tag or its digest). */
    public String push(ImageContent image, String repository, String reference) {
        for (Map.Entry<String, byte[]> blob : image.blobs().entrySet()) {
            registry.pushBlob(repository, blob.getKey(), blob.getValue());
        }
        return registry.putManifest(repository, reference, image.manifestMediaType(), image.manifest());
    }

    /** Pushes the image by its digest and an index naming it under {@code tag}; returns the index's digest. */
    public String pushIndex(SyntheticImage image, String repository, String tag) {
        ImageContent content = image.content();
        // A registry takes an index only once every manifest it names is there.
        push(content, repository, content.digest());
        return push(image.index(content), repository, tag);
    }
}
