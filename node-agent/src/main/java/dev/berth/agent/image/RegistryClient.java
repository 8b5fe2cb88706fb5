package dev.berth.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.agent.image.ImagePullException.Reason;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;

/**
 * Speaks the OCI distribution protocol (v2) to a registry, with the JDK's HTTP client: resolves an
 * image's linux/amd64 manifest and downloads blobs, checking every byte against its digest (a registry,
 * a proxy or a broken connection must never get unverified content into a task's root).
 *
 * <p>Authentication is the registry's choice, answered as Docker answers it: on a 401, a {@code Bearer}
 * challenge is met with a token from the named realm (asked with the login, if the agent has one for
 * that registry), a {@code Basic} one with the login itself. The authorization is kept per registry and
 * repository for the client's life and fetched again when the registry stops accepting it.
 *
 * <p>Loopback registries and those the operator lists as insecure are spoken to over plain http, all
 * others over https. Every request has a deadline, so a stalled registry fails a pull instead of hanging it.
 */
public final class RegistryClient {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST);
    /** Layer kinds the unpacker reads: tar, plain or gzipped. */
    private static final Set<String> LAYER_TYPES = Set.of("application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.diff.tar");
    private static final int MAX_REDIRECTS = 5;
    /** How often a running request is looked at for a stalled body. */
    private static final Duration POLL = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryCredentials credentials;
    private final Set<String> insecureRegistries;
    private final Duration requestTimeout;
    private final HttpClient http;
    /** "registry/repository" → the Authorization header value that worked last. */
    private final ConcurrentMap<String, String> authorizations = new ConcurrentHashMap<>();

    /** A connect deadline of 10 s and 60 s for a registry's answer to begin. */
    public RegistryClient(RegistryCredentials credentials, Set<String> insecureRegistries) {
        this(credentials, insecureRegistries, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /**
     * @param insecureRegistries host[:port] of registries to speak plain http to (loopback ones always are)
     * @param connectTimeout     how long a connection may take to open
     * @param requestTimeout     how long a registry may take to begin its answer
     */
    public RegistryClient(RegistryCredentials credentials, Set<String> insecureRegistries, Duration connectTimeout,
                          Duration requestTimeout) {
        this.credentials = credentials;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.requestTimeout = requestTimeout;
        // Redirects are followed by hand: a blob's redirect to a storage host must not carry our authorization.
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The image's linux/amd64 manifest. Asked by digest, the manifest's bytes must have that digest; asked
     * by tag, its digest is computed (and must match the registry's {@code Docker-Content-Digest}, if sent).
     */
    public Manifest resolve(ImageReference ref) throws ImagePullException {
        Fetched first = fetchManifest(ref, ref.manifestReference());
        if (first.mediaType().equals(OCI_INDEX) || first.mediaType().equals(DOCKER_LIST)) {
            Descriptor chosen = linuxAmd64(ref, first.json());
            Fetched platform = fetchManifest(ref, chosen.digest());
            if (!platform.mediaType().equals(OCI_MANIFEST) && !platform.mediaType().equals(DOCKER_MANIFEST)) {
                throw new ImagePullException(Reason.UNSUPPORTED, "image " + ref + ": its linux/amd64 entry is a "
                        + platform.mediaType() + ", not an image manifest");
            }
            return manifest(ref, platform);
        }
        return manifest(ref, first);
    }

    /**
     * Downloads one blob to {@code target}: into a temporary file beside it, checked for its size and digest,
     * then renamed into place, so {@code target} exists only complete and verified.
     *
     * @param bytesSoFar told the bytes received so far, as they arrive
     */
    public void fetchBlob(ImageReference ref, Descriptor blob, Path target, LongConsumer bytesSoFar)
            throws ImagePullException {
        if (!Digests.valid(blob.digest())) {
            throw new ImagePullException(Reason.UNSUPPORTED, "image " + ref + ": blob digest " + blob.digest()
                    + " is not sha256, the only algorithm the agent checks");
        }
        URI uri = uri(ref, "/blobs/" + blob.digest());
        Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".partial");
        try (FileChannel file = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            BlobWriter writer = new BlobWriter(file, blob.size(), bytesSoFar);
            HttpResponse<byte[]> response = get(ref, uri, null, info -> info.statusCode() == 200
                    ? HttpResponse.BodySubscribers.fromSubscriber(writer, w -> new byte[0])
                    : HttpResponse.BodySubscribers.ofByteArray(), writer);
            if (response.statusCode() != 200) {
                String registryWords = registryMessage(response.body());
                if (response.statusCode() == 404) {
                    throw new ImagePullException(Reason.NOT_FOUND, "image " + ref + " is incomplete in its registry:"
                            + " blob " + blob.digest() + " not found" + (registryWords.isEmpty() ? "" : ": "
                            + registryWords));
                }
                throw unexpected(ref, response.statusCode(), "blob " + blob.digest(), registryWords);
            }
            if (writer.writeFailure() != null) {
                throw writer.writeFailure();
            }
            String actual = writer.pastPromise() ? "" : writer.digest();
            if (writer.received() != blob.size() || !actual.equals(blob.digest())) {
                throw new ImagePullException(Reason.DIGEST_MISMATCH, "image " + ref + ": blob " + blob.digest()
                        + " from " + ref.registry() + " is not what its manifest promised ("
                        + (writer.received() != blob.size() ? (writer.pastPromise() ? "more than " : "")
                        + writer.received() + " bytes where " + blob.size() + " were expected"
                        : "its content's digest is " + actual) + "); nothing was kept");
            }
            file.force(false);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new ImagePullException(Reason.LOCAL_IO, "image " + ref + ": cannot store blob " + blob.digest()
                    + " at " + target + ": " + describe(e), e);
        } catch (ImagePullException | RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new ImagePullException(Reason.LOCAL_IO, "image " + ref + ": cannot store blob " + blob.digest()
                    + " at " + target + ": " + describe(e), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover .partial file is swept with the unused blobs
        }
    }

    private record Fetched(String digest, String mediaType, JsonNode json) {
    }

    private Fetched fetchManifest(ImageReference ref, String reference) throws ImagePullException {
        HttpResponse<byte[]> response = get(ref, uri(ref, "/manifests/" + reference), ACCEPT,
                HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = response.body();
        if (response.statusCode() == 404) {
            String words = registryMessage(body);
            throw new ImagePullException(Reason.NOT_FOUND, "image " + display(ref, reference) + " not found: "
                    + (words.isEmpty() ? "manifest unknown" : words));
        }
        if (response.statusCode() != 200) {
            throw unexpected(ref, response.statusCode(), "manifest " + reference, registryMessage(body));
        }
        String digest = Digests.of(body);
        if (reference.startsWith("sha256:") && !digest.equals(reference)) {
            throw new ImagePullException(Reason.DIGEST_MISMATCH, "image " + display(ref, reference) + ": the registry"
                    + " sent a manifest whose digest is " + digest);
        }
        Optional<String> announced = response.headers().firstValue("Docker-Content-Digest");
        if (announced.isPresent() && Digests.valid(announced.get()) && !announced.get().equals(digest)) {
            throw new ImagePullException(Reason.DIGEST_MISMATCH, "image " + display(ref, reference) + ": the registry"
                    + " announced manifest " + announced.get() + " but sent one whose digest is " + digest);
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new ImagePullException(Reason.INVALID, "image " + display(ref, reference)
                    + ": the registry sent a manifest that is not JSON", e);
        }
        String type = response.headers().firstValue("Content-Type")
                .map(value -> value.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
        if (!isManifestType(type)) {
            // Some registries answer application/json: the manifest's own mediaType (or its shape) tells.
            type = json.path("mediaType").asText("");
            if (type.isEmpty()) {
                type = json.has("manifests") ? OCI_INDEX : json.has("layers") ? OCI_MANIFEST : "";
            }
        }
        if (!isManifestType(type)) {
            String what = json.path("schemaVersion").asInt() == 1
                    ? "a Docker schema 1 manifest (pushed with a client from before 2017; push it again)"
                    : "a manifest of type '" + type + "'";
            throw new ImagePullException(Reason.UNSUPPORTED, "image " + display(ref, reference) + " is " + what
                    + ", which the agent cannot run");
        }
        return new Fetched(digest, type, json);
    }

    private static boolean isManifestType(String type) {
        return type.equals(OCI_INDEX) || type.equals(OCI_MANIFEST) || type.equals(DOCKER_LIST)
                || type.equals(DOCKER_MANIFEST);
    }

    private static Descriptor linuxAmd64(ImageReference ref, JsonNode index) throws ImagePullException {
        List<String> offered = new ArrayList<>();
        for (JsonNode entry : index.path("manifests")) {
            JsonNode platform = entry.path("platform");
            String os = platform.path("os").asText("");
            String arch = platform.path("architecture").asText("");
            if (os.equals("linux") && arch.equals("amd64")) {
                return descriptor(ref, entry);
            }
            if (!os.isEmpty() && !os.equals("unknown")) { // "unknown": attestations, not images
                offered.add(os + "/" + arch);
            }
        }
        throw new ImagePullException(Reason.UNSUPPORTED, "image " + ref + " has no linux/amd64 variant"
                + (offered.isEmpty() ? "" : " (it has " + String.join(", ", offered) + ")"));
    }

    private static Manifest manifest(ImageReference ref, Fetched fetched) throws ImagePullException {
        JsonNode json = fetched.json();
        if (!json.has("config") || !json.path("layers").isArray()) {
            throw new ImagePullException(Reason.INVALID, "image " + ref + ": its manifest has no config or layers");
        }
        Descriptor config = descriptor(ref, json.get("config"));
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode layer : json.get("layers")) {
            Descriptor descriptor = descriptor(ref, layer);
            if (!LAYER_TYPES.contains(descriptor.mediaType())) {
                String kind = descriptor.mediaType().endsWith("zstd") ? "zstd-compressed layers"
                        : descriptor.mediaType().contains("foreign") || descriptor.mediaType().contains("nondistributable")
                        ? "foreign (non-distributable) layers" : "layers of type '" + descriptor.mediaType() + "'";
                throw new ImagePullException(Reason.UNSUPPORTED, "image " + ref + " has " + kind
                        + ", which the agent cannot unpack (it reads tar and gzipped tar)");
            }
            layers.add(descriptor);
        }
        return new Manifest(fetched.digest(), fetched.mediaType(), config, layers);
    }

    private static Descriptor descriptor(ImageReference ref, JsonNode node) throws ImagePullException {
        String digest = node.path("digest").asText("");
        if (!Digests.valid(digest)) {
            throw new ImagePullException(digest.startsWith("sha256:") || digest.isEmpty() ? Reason.INVALID
                    : Reason.UNSUPPORTED, "image " + ref + ": its manifest names a blob by '" + digest
                    + "'; the agent checks only sha256 digests");
        }
        long size = node.path("size").asLong(-1);
        if (size < 0) {
            throw new ImagePullException(Reason.INVALID, "image " + ref + ": its manifest gives no size for " + digest);
        }
        return new Descriptor(node.path("mediaType").asText(""), digest, size);
    }

    /** GET with the repository's authorization, earning one first when the registry asks for it. */
    private <T> HttpResponse<T> get(ImageReference ref, URI uri, String accept, HttpResponse.BodyHandler<T> handler)
            throws ImagePullException {
        return get(ref, uri, accept, handler, null);
    }

    /** @param writer where a blob's body goes, watched for progress; null for a small body wanted whole */
    private <T> HttpResponse<T> get(ImageReference ref, URI uri, String accept, HttpResponse.BodyHandler<T> handler,
                                    BlobWriter writer) throws ImagePullException {
        String key = ref.registry() + "/" + ref.repository();
        String authorization = authorizations.get(key);
        HttpResponse<T> response = follow(ref, uri, accept, authorization, handler, writer);
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            if (response.statusCode() == 403 && challenge.isEmpty()) {
                throw refused(ref);
            }
            authorization = authorize(ref, AuthChallenge.parse(challenge));
            authorizations.put(key, authorization);
            response = follow(ref, uri, accept, authorization, handler, writer);
            if (response.statusCode() == 401 || response.statusCode() == 403) {
                authorizations.remove(key, authorization);
                throw refused(ref);
            }
        }
        return response;
    }

    private <T> HttpResponse<T> follow(ImageReference ref, URI uri, String accept, String authorization,
                                       HttpResponse.BodyHandler<T> handler, BlobWriter writer)
            throws ImagePullException {
        URI current = uri;
        for (int hops = 0; ; hops++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(current).timeout(requestTimeout).GET();
            if (accept != null) {
                request.header("Accept", accept);
            }
            // Only the registry itself sees the authorization, not a storage host it redirects to.
            if (authorization != null && sameOrigin(current, uri)) {
                request.header("Authorization", authorization);
            }
            HttpResponse<T> response = send(ref, request.build(), handler, writer);
            int status = response.statusCode();
            Optional<String> location = response.headers().firstValue("Location");
            if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
                    && location.isPresent()) {
                if (hops >= MAX_REDIRECTS) {
                    throw new ImagePullException(Reason.UNREACHABLE, "registry " + ref.registry()
                            + " redirected more than " + MAX_REDIRECTS + " times for " + uri.getPath());
                }
                current = current.resolve(location.get());
                continue;
            }
            return response;
        }
    }

    private String authorize(ImageReference ref, AuthChallenge challenge) throws ImagePullException {
        Optional<RegistryCredentials.Login> login = credentials.forRegistry(ref.registry());
        if (challenge.scheme().equals("basic")) {
            return basic(login.orElseThrow(() -> refused(ref)));
        }
        if (!challenge.scheme().equals("bearer") || challenge.param("realm") == null) {
            throw new ImagePullException(Reason.UNAUTHORIZED, "registry " + ref.registry() + " asks for an"
                    + " authentication the agent does not speak ('" + challenge.scheme() + "')");
        }
        String realm = challenge.param("realm");
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(URLEncoder.encode(challenge.param("service"), StandardCharsets.UTF_8));
        }
        String scope = challenge.param("scope") != null ? challenge.param("scope")
                : "repository:" + ref.repository() + ":pull";
        query.append(query.length() > 0 ? "&" : "").append("scope=")
                .append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        URI tokenUri;
        try {
            tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        } catch (IllegalArgumentException e) {
            throw new ImagePullException(Reason.UNAUTHORIZED, "registry " + ref.registry()
                    + " names a token service that is not a URL: " + realm);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(requestTimeout).GET();
        login.ifPresent(l -> request.header("Authorization", basic(l)));
        HttpResponse<byte[]> response = send(ref, request.build(), HttpResponse.BodyHandlers.ofByteArray(), null);
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw refused(ref);
        }
        if (response.statusCode() != 200) {
            throw new ImagePullException(Reason.UNREACHABLE, "the token service of registry " + ref.registry()
                    + " (" + tokenUri.getHost() + ") answered HTTP " + response.statusCode());
        }
        String token;
        try {
            JsonNode json = JSON.readTree(response.body());
            token = json.hasNonNull("token") ? json.get("token").asText() : json.path("access_token").asText("");
        } catch (IOException e) {
            token = "";
        }
        if (token.isEmpty()) {
            throw new ImagePullException(Reason.UNAUTHORIZED, "the token service of registry " + ref.registry()
                    + " gave no token");
        }
        return "Bearer " + token;
    }

    private ImagePullException refused(ImageReference ref) {
        Optional<RegistryCredentials.Login> login = credentials.forRegistry(ref.registry());
        if (login.isPresent()) {
            return new ImagePullException(Reason.UNAUTHORIZED, "image " + ref + ": registry " + ref.registry()
                    + " refused the credentials (user " + login.get().username() + ") for " + ref.repository());
        }
        return new ImagePullException(Reason.UNAUTHORIZED, "image " + ref + ": pull access denied by registry "
                + ref.registry() + " (the repository does not exist or needs credentials, and the agent has none"
                + " for this registry)");
    }

    /**
     * Sends and waits, with deadlines of our own: the client's timeout ends with the headers, and a body
     * that stops flowing must fail the pull rather than hold it. A small body must arrive whole within
     * twice the request timeout; a blob ({@code writer}) may take as long as it keeps coming, but no
     * more than the request timeout without a byte, and not past its promised size.
     */
    private <T> HttpResponse<T> send(ImageReference ref, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                     BlobWriter writer) throws ImagePullException {
        long started = System.nanoTime();
        long limit = requestTimeout.toNanos();
        CompletableFuture<HttpResponse<T>> future = http.sendAsync(request, handler);
        try {
            while (true) {
                try {
                    return future.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    long now = System.nanoTime();
                    if (writer != null && writer.pastPromise()) {
                        future.cancel(true);
                        throw new ImagePullException(Reason.DIGEST_MISMATCH, "image " + ref + ": the registry "
                                + ref.registry() + " sent more than the " + request.uri().getPath()
                                + " its manifest promised; nothing was kept");
                    }
                    boolean stalled = writer != null ? now - writer.lastProgressNanos() > limit
                            : now - started > 2 * limit;
                    if (stalled) {
                        future.cancel(true);
                        throw new ImagePullException(Reason.UNREACHABLE, "registry " + ref.registry()
                                + " stopped sending " + request.uri().getPath() + (writer != null ? " after "
                                + writer.received() + " bytes: no data for " : ": no answer within ")
                                + requestTimeout.toSeconds() + " s");
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof IOException ? e.getCause()
                    : e.getCause() != null && e.getCause().getCause() instanceof IOException ? e.getCause().getCause()
                    : e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                throw new ImagePullException(Reason.UNREACHABLE, "cannot reach registry " + ref.registry() + " ("
                        + request.uri().getHost() + "): no connection within "
                        + http.connectTimeout().map(Duration::toSeconds).orElse(0L) + " s", cause);
            }
            if (cause instanceof HttpTimeoutException) {
                throw new ImagePullException(Reason.UNREACHABLE, "registry " + ref.registry() + " did not answer "
                        + request.uri().getPath() + " within " + requestTimeout.toSeconds() + " s", cause);
            }
            if (cause instanceof ConnectException) {
                throw new ImagePullException(Reason.UNREACHABLE, "cannot reach registry " + ref.registry() + " ("
                        + request.uri().getScheme() + "://" + request.uri().getAuthority() + "): connection refused",
                        cause);
            }
            if (cause instanceof IOException io) {
                throw new ImagePullException(Reason.UNREACHABLE, "cannot reach registry " + ref.registry() + " ("
                        + request.uri().getScheme() + "://" + request.uri().getAuthority() + "): " + describe(io), io);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new ImagePullException(Reason.UNREACHABLE, "the pull of " + ref + " was interrupted", e);
        }
    }

    private URI uri(ImageReference ref, String tail) {
        return URI.create(scheme(ref.registry()) + "://" + ref.registry() + "/v2/" + ref.repository() + tail);
    }

    /** Plain http only where nothing can listen in: loopback, or where the operator said so. */
    String scheme(String registry) {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.split(":", 2)[0];
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
        return loopback || insecureRegistries.contains(registry) || insecureRegistries.contains(host) ? "http"
                : "https";
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String basic(RegistryCredentials.Login login) {
        return "Basic " + Base64.getEncoder().encodeToString((login.username() + ":" + login.password())
                .getBytes(StandardCharsets.UTF_8));
    }

    private ImagePullException unexpected(ImageReference ref, int status, String what, String registryWords) {
        String suffix = registryWords.isEmpty() ? "" : ": " + registryWords;
        if (status == 429 || status >= 500) {
            return new ImagePullException(Reason.UNREACHABLE, "image " + ref + ": registry " + ref.registry()
                    + " answered HTTP " + status + " for " + what + suffix);
        }
        return new ImagePullException(Reason.UNSUPPORTED, "image " + ref + ": registry " + ref.registry()
                + " answered HTTP " + status + " for " + what + suffix);
    }

    private static String display(ImageReference ref, String reference) {
        if (reference.equals(ref.manifestReference())) {
            return ref.toString();
        }
        return new ImageReference(ref.registry(), ref.repository(), ref.tag(), reference).toString();
    }

    /** The registry's own words from its error body ({@code {"errors":[{"message":...}]}}), or "". */
    private static String registryMessage(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            List<String> messages = new ArrayList<>();
            for (JsonNode error : JSON.readTree(body).path("errors")) {
                String message = error.path("message").asText("");
                messages.add(message.isEmpty() ? error.path("code").asText("").toLowerCase(Locale.ROOT) : message);
            }
            return String.join("; ", messages);
        } catch (IOException e) {
            return "";
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
