package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * The few calls of the OCI distribution API that putting an image into a registry and reading it back
 * take, over the JDK's {@link HttpClient}: whether a blob is there, a blob's upload (monolithic: one
 * POST to open the upload, one PUT with the bytes and their digest), a manifest's PUT and GET. Plain
 * HTTP only (a test's or the local run's registry on 127.0.0.1), anonymous or with basic auth; no token
 * service, which a real Docker Hub would need.
 */
public final class RegistryClient {
    private final URI base;
    private final Optional<String> authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A client of the registry at {@code host} ({@code 127.0.0.1:5000}), anonymous. */
    public RegistryClient(String host) {
        this(host, null, null);
    }

    /** A client that sends basic auth with every request; {@code user} null for none. */
    public RegistryClient(String host, String user, String password) {
        this.base = URI.create("http://" + host);
        this.authorization = user == null ? Optional.empty() : Optional.of("Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** A manifest as the registry served it: the bytes (which its digest is of), their media type and digest. */
    public record Manifest(byte[] bytes, String mediaType, String digest) {
        public String json() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** True if the repository has the blob (HEAD answers 200): pushing it again would only cost time. */
    public boolean hasBlob(String repository, String digest) {
        HttpResponse<byte[]> response = send(request("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        return response.statusCode() == 200;
    }

    /** Uploads a blob in one request, unless the repository has it already. */
    public void pushBlob(String repository, String digest, byte[] content) {
        if (hasBlob(repository, digest)) {
            return;
        }
        HttpResponse<byte[]> opened = send(request("/v2/" + repository + "/blobs/uploads/")
                .POST(HttpRequest.BodyPublishers.noBody()));
        expect(opened, 202, "open an upload for " + digest + " in " + repository);
        String location = opened.headers().firstValue("Location").orElseThrow(() ->
                new RegistryException("the registry opened an upload without a Location", opened));
        // The Location may be relative, and carries query parameters of its own (the upload's state).
        URI upload = base.resolve(location);
        URI withDigest = URI.create(upload + (upload.getRawQuery() == null ? "?" : "&") + "digest=" + digest);
        HttpResponse<byte[]> put = send(authorized(HttpRequest.newBuilder(withDigest))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        expect(put, 201, "upload " + digest + " to " + repository);
    }

    /** PUTs a manifest (or an index) under a tag or a digest; returns the digest the registry gave it. */
    public String putManifest(String repository, String reference, String mediaType, byte[] manifest) {
        HttpResponse<byte[]> put = send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        expect(put, 201, "put the manifest " + repository + ":" + reference);
        String digest = Digests.sha256(manifest);
        String answered = put.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!answered.equals(digest)) {
            throw new RegistryException("the registry took the manifest as " + answered + ", not " + digest, put);
        }
        return digest;
    }

    /** The manifest of a tag or digest, accepting every kind (Docker or OCI, image or index); empty if none. */
    public Optional<Manifest> manifest(String repository, String reference) {
        HttpResponse<byte[]> response = send(request("/v2/" + repository + "/manifests/" + reference)
                .header("Accept", String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
                        MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST))
                .GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        expect(response, 200, "get the manifest " + repository + ":" + reference);
        byte[] bytes = response.body();
        return Optional.of(new Manifest(bytes, response.headers().firstValue("Content-Type").orElse(""),
                response.headers().firstValue("Docker-Content-Digest").orElse(Digests.sha256(bytes))));
    }

    /** A blob's bytes; empty if the repository has none by that digest. */
    public Optional<byte[]> blob(String repository, String digest) {
        HttpResponse<byte[]> response = send(request("/v2/" + repository + "/blobs/" + digest).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        expect(response, 200, "get the blob " + digest + " of " + repository);
        return Optional.of(response.body());
    }

    private HttpRequest.Builder request(String path) {
        return authorized(HttpRequest.newBuilder(base.resolve(path)));
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder builder) {
        authorization.ifPresent(value -> builder.header("Authorization", value));
        // Big layers over loopback take seconds, never minutes.
        return builder.timeout(Duration.ofMinutes(2));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        HttpRequest built = request.build();
        try {
            // The registry redirects blob GETs only with a storage driver that serves them itself (S3); not so here.
            return http.send(built, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("the registry at " + base + " did not answer " + built.method() + " "
                    + built.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while talking to the registry", e);
        }
    }

    private static void expect(HttpResponse<byte[]> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new RegistryException("cannot " + what, response);
        }
    }

    /** A registry's answer other than the one the call needs: its status and body say why. */
    public static final class RegistryException extends RuntimeException {
        private final int status;

        RegistryException(String message, HttpResponse<byte[]> response) {
            super(message + ": " + response.request().method() + " " + response.request().uri() + " answered "
                    + response.statusCode() + " " + new String(response.body() == null ? new byte[0]
                    : response.body(), StandardCharsets.UTF_8));
            this.status = response.statusCode();
        }

        public int status() {
            return status;
        }
    }
}
