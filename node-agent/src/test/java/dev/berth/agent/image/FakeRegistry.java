package dev.berth.agent.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory registry speaking enough of the distribution protocol for the unit tests: manifests and
 * blobs, optional basic or bearer authentication, blob redirects to a "storage" path, and a count of what
 * was served, on a free loopback port.
 */
final class FakeRegistry implements AutoCloseable {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String GZIP_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final Pattern API = Pattern.compile("/v2/(.+)/(manifests|blobs)/([^/]+)");

    enum Auth { NONE, BASIC, BEARER }

    private record Stored(String mediaType, byte[] body) {
    }

    private final HttpServer server;
    /** Another origin, as a registry's blob storage is: a redirect there must not carry the registry's authorization. */
    private final HttpServer storage;
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private volatile String stallingBlob;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Stored> manifests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> blobsServed = new ConcurrentHashMap<>();
    private final AtomicInteger tokensIssued = new AtomicInteger();
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
    private volatile Auth auth = Auth.NONE;
    private volatile String user;
    private volatile String password;
    private volatile boolean redirectBlobs;
    private volatile boolean authorizationSeenInStorage;

    private FakeRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        storage = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        storage.setExecutor(executor);
        storage.createContext("/", this::handleStorage);
        storage.start();
    }

    static FakeRegistry start() throws IOException {
        return new FakeRegistry();
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests need this login (basic), or a token the token service gives (bearer; with the login, if user set). */
    void requireAuth(Auth auth, String user, String password) {
        this.auth = auth;
        this.user = user;
        this.password = password;
    }

    void redirectBlobs() {
        redirectBlobs = true;
    }

    boolean authorizationSeenInStorage() {
        return authorizationSeenInStorage;
    }

    int tokensIssued() {
        return tokensIssued.get();
    }

    int timesServed(String digest) {
        return blobsServed.getOrDefault(digest, new AtomicInteger()).get();
    }

    String putBlob(byte[] content) {
        String digest = Digests.of(content);
        blobs.put(digest, content);
        return digest;
    }

    /** Serves {@code content} under a digest it does not have. */
    void putBlobAs(String digest, byte[] content) {
        blobs.put(digest, content);
    }

    String putManifest(String repository, String reference, String mediaType, byte[] body) {
        String digest = Digests.of(body);
        manifests.put(repository + "@" + reference, new Stored(mediaType, body));
        manifests.put(repository + "@" + digest, new Stored(mediaType, body));
        return digest;
    }

    /** A Docker v2 image: the config and gzipped layers are stored, the manifest tagged; returns its digest. */
    String pushImage(String repository, String tag, byte[] config, List<byte[]> layers) {
        StringBuilder manifest = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":"
                + config.length + ",\"digest\":\"" + putBlob(config) + "\"},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            manifest.append(i > 0 ? "," : "").append("{\"mediaType\":\"" + GZIP_LAYER + "\",\"size\":")
                    .append(layers.get(i).length).append(",\"digest\":\"").append(putBlob(layers.get(i))).append("\"}");
        }
        manifest.append("]}");
        return putManifest(repository, tag, DOCKER_MANIFEST, manifest.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/token")) {
                token(exchange);
                return;
            }
            Matcher api = API.matcher(path);
            if (!api.matches()) {
                send(exchange, 404, "application/json", error("NAME_UNKNOWN", "repository name not known"));
                return;
            }
            if (!authorized(exchange, api.group(1))) {
                return;
            }
            if (api.group(2).equals("manifests")) {
                Stored manifest = manifests.get(api.group(1) + "@" + api.group(3));
                if (manifest == null) {
                    send(exchange, 404, "application/json", error("MANIFEST_UNKNOWN", "manifest unknown"));
                    return;
                }
                exchange.getResponseHeaders().add("Docker-Content-Digest", Digests.of(manifest.body()));
                send(exchange, 200, manifest.mediaType(), manifest.body());
            } else if (redirectBlobs) {
                exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + storage.getAddress().getPort()
                        + "/storage/" + api.group(3));
                exchange.sendResponseHeaders(307, -1);
            } else {
                blob(exchange, api.group(3));
            }
        }
    }

    private void handleStorage(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestHeaders().getFirst("Authorization") != null) {
                authorizationSeenInStorage = true;
            }
            blob(exchange, exchange.getRequestURI().getPath().substring("/storage/".length()));
        }
    }

    /** The blob's answer starts, sends a few bytes, then nothing more until the registry is closed. */
    void stallBlob(String digest) {
        stallingBlob = digest;
    }

    private void blob(HttpExchange exchange, String digest) throws IOException {
        byte[] blob = blobs.get(digest);
        if (blob != null && digest.equals(stallingBlob)) {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, blob.length);
            OutputStream out = exchange.getResponseBody();
            out.write(blob, 0, 10);
            out.flush();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (blob == null) {
            send(exchange, 404, "application/json", error("BLOB_UNKNOWN", "blob unknown to registry"));
            return;
        }
        blobsServed.computeIfAbsent(digest, d -> new AtomicInteger()).incrementAndGet();
        send(exchange, 200, "application/octet-stream", blob);
    }

    private boolean authorized(HttpExchange exchange, String repository) throws IOException {
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        switch (auth) {
            case NONE:
                return true;
            case BASIC:
                if (basic().equals(given)) {
                    return true;
                }
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"fake\"");
                break;
            default:
                if (given != null && given.startsWith("Bearer ") && tokens.containsKey(given.substring(7))) {
                    return true;
                }
                exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host()
                        + "/token\",service=\"fake-registry\",scope=\"repository:" + repository + ":pull\"");
        }
        send(exchange, 401, "application/json", error("UNAUTHORIZED", "authentication required"));
        return false;
    }

    private void token(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        if (query == null || !query.contains("service=fake-registry") || !query.contains("scope=repository")) {
            send(exchange, 400, "application/json", error("BAD_REQUEST", "service and scope required"));
            return;
        }
        if (user != null && !basic().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            send(exchange, 401, "application/json", error("UNAUTHORIZED", "bad login"));
            return;
        }
        String token = "token-" + tokensIssued.incrementAndGet();
        tokens.put(token, true);
        String field = user != null ? "token" : "access_token"; // both spellings occur in the wild
        send(exchange, 200, "application/json", ("{\"" + field + "\":\"" + token + "\",\"expires_in\":300}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] error(String code, String message) {
        return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        storage.stop(0);
        executor.shutdownNow();
    }
}
