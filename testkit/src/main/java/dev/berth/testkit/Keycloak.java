package dev.berth.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak server as a child process, started from the {@code keycloak-quarkus-dist} zip
 * (no Docker), for tests and the local run.
 *
 * <p>Every start begins from an empty database in its own work dir: the H2 file database lives
 * under {@code workDir/data/h2}, never in the distribution, so two servers (or two starts) never
 * share realms, clients or sessions. The distribution itself is shared and, after the first
 * start, already augmented ("built"), and it keeps a copy of a just-initialised database
 * (master realm only) that each start begins from — which is what makes later starts fast. The realm files are
 * imported through the admin REST API right after the server is up — the same import
 * {@code --import-realm} runs, but without writing into the shared {@code data/import}.
 *
 * <pre>
 * try (Keycloak keycloak = Keycloak.start(dir, List.of(Path.of("../deploy/keycloak/berth-realm.json")))) {
 *     String token = keycloak.passwordToken("berth", "berth-cli", "otto", "otto-password");
 * }
 * </pre>
 *
 * <p>Where the distribution comes from: the system property {@value #HOME_PROPERTY} (an unpacked
 * dist, as {@code system-tests} provides), else the zip in the local Maven repository, unpacked
 * once into {@code ~/.cache/berth/keycloak-<version>}.
 */
public final class Keycloak implements AutoCloseable {

    /** The one Keycloak version Berth tests and runs against. */
    public static final String VERSION = "26.5.6";
    /** An unpacked distribution to use instead of the zip from the Maven repository. */
    public static final String HOME_PROPERTY = "berth.keycloak.home";
    /** The bootstrap admin of the {@code master} realm. Test and local-run servers only. */
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "admin";

    /** First start augments the distribution (~40 s here); give slow machines room on top. */
    private static final Duration START_DEADLINE = Duration.ofSeconds(240);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object START_LOCK = new Object();

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http;
    private final Thread reaper;

    private Keycloak(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        // A test JVM that dies without close() must not leave a 400 MB server behind.
        this.reaper = new Thread(this::stop, "keycloak-stop-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts a server on a free loopback port and imports the given realm files. */
    public static Keycloak start(Path workDir, List<Path> realmFiles) {
        return start(workDir, realmFiles, FreePorts.next());
    }

    /**
     * Starts a server on {@code port} (loopback only), with an empty database under
     * {@code workDir}, and imports the realm files; returns once every imported realm answers its
     * OpenID discovery document. Logs go to {@code workDir/keycloak.log}.
     */
    public static Keycloak start(Path workDir, List<Path> realmFiles, int port) {
        Path home = distribution();
        try {
            Files.createDirectories(workDir);
            Keycloak keycloak;
            // The first start of a distribution rewrites its lib/quarkus (augmentation); two at once
            // would race on it, so starts from one distribution take turns until each is up.
            // (A FileLock is per JVM, so threads of one JVM queue on a monitor first.)
            synchronized (START_LOCK) {
                try (FileChannel channel = FileChannel.open(home.resolve(".berth-start.lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    Path template = emptyDatabase(home);
                    // A fresh realm state every start: tests create clients and must not see the last run's.
                    Directories.deleteQuietly(workDir.resolve("data"));
                    copyTree(template, workDir.resolve("data"));
                    keycloak = launch(home, workDir, port);
                }
            }
            try {
                for (Path realmFile : realmFiles) {
                    keycloak.importRealm(realmFile);
                }
            } catch (RuntimeException e) {
                keycloak.close();
                throw e;
            }
            return keycloak;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Keycloak in " + workDir, e);
        }
    }

    /**
     * The data dir of a server that has done nothing but start: schema created, master realm and
     * bootstrap admin in place. Made once per distribution; each start copies it, which saves
     * the ~15 s an empty database costs (schema migration, master realm, admin password hash).
     */
    private static Path emptyDatabase(Path home) throws IOException {
        Path template = home.resolve(".berth-empty-data");
        if (Files.isDirectory(template)) {
            return template;
        }
        Path priming = home.resolve(".berth-empty-data.partial");
        Directories.deleteQuietly(priming);
        Files.createDirectories(priming);
        launch(home, priming, FreePorts.next()).close();
        Files.move(priming.resolve("data"), template, StandardCopyOption.ATOMIC_MOVE);
        Directories.deleteQuietly(priming);
        return template;
    }

    /** Runs kc.sh start-dev with its H2 database under {@code workDir/data}; returns once master answers. */
    private static Keycloak launch(Path home, Path workDir, int port) throws IOException {
        Path log = workDir.resolve("keycloak.log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-port=" + port, "--http-host=127.0.0.1")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        // Where the dev-file H2 database lives: kc.db-url-path replaces the home dir in its URL
        // (jdbc:h2:file:<path>/data/h2/keycloakdb), so the distribution itself stays unwritten.
        env.put("JAVA_OPTS_APPEND", "-Dkc.db-url-path=" + workDir.toAbsolutePath());
        // A fixed heap: kc.sh otherwise takes 70 % of a container's memory.
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        Keycloak keycloak = new Keycloak(builder.start(), port, log);
        try {
            keycloak.awaitUp("master");
        } catch (RuntimeException e) {
            keycloak.close();
            throw e;
        }
        return keycloak;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:18080}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The process id of the server's kc.sh wrapper (its java child is the server proper). */
    public long pid() {
        return process.pid();
    }

    /** The issuer, and {@code quarkus.oidc.auth-server-url}, of a realm. */
    public String issuer(String realm) {
        return url() + "/realms/" + realm;
    }

    /** The server's log file. */
    public Path log() {
        return log;
    }

    /** An access token by the resource-owner password grant (the client needs direct access grants). */
    public String passwordToken(String realm, String clientId, String user, String password) {
        return token(realm, form("grant_type", "password", "client_id", clientId,
                "username", user, "password", password));
    }

    /**
     * The same grant from any Keycloak at {@code url}, not only one this class started: a local run's,
     * whose address is all a test has.
     */
    public static String passwordToken(String url, String realm, String clientId, String user, String password) {
        return token(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), url, realm,
                form("grant_type", "password", "client_id", clientId, "username", user, "password", password));
    }

    /** An access token of a confidential client's service account (client-credentials grant). */
    public String clientCredentialsToken(String realm, String clientId, String secret) {
        return token(realm, form("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret));
    }

    /** An access token of the bootstrap admin, for the admin REST API. */
    public String adminToken() {
        return passwordToken("master", "admin-cli", ADMIN_USER, ADMIN_PASSWORD);
    }

    /**
     * Creates a client in a realm through the admin REST API, from a ClientRepresentation in JSON,
     * e.g. {@code {"clientId":"short","publicClient":true,"directAccessGrantsEnabled":true,
     * "attributes":{"access.token.lifespan":"2"}}}.
     */
    public void createClient(String realm, String clientJson) {
        admin("POST", "/admin/realms/" + realm + "/clients", clientJson, 201);
    }

    /**
     * Lets a client of the realm send browsers back to {@code redirectUri} (and accept sign-outs there,
     * and calls from its origin): a test's gateway listens on a free port, not on the one the realm
     * file names. Adds to what the client has; the realm file is not changed.
     */
    public void allowRedirect(String realm, String clientId, String redirectUri) {
        String path = "/admin/realms/" + realm + "/clients";
        HttpResponse<String> found = send(HttpRequest.newBuilder(URI.create(url() + path + "?clientId="
                        + URLEncoder.encode(clientId, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + adminToken()).GET().build());
        try {
            JsonNode clients = JSON.readTree(found.body());
            if (found.statusCode() != 200 || clients.size() != 1) {
                throw new KeycloakException("no client " + clientId + " in realm " + realm, found);
            }
            ObjectNode client = (ObjectNode) clients.get(0);
            client.withArray("redirectUris").add(redirectUri);
            ObjectNode attributes = client.has("attributes") ? (ObjectNode) client.get("attributes")
                    : client.putObject("attributes");
            String logout = attributes.path("post.logout.redirect.uris").asText("");
            attributes.put("post.logout.redirect.uris", logout.isEmpty() ? redirectUri : logout + "##" + redirectUri);
            admin("PUT", path + "/" + client.path("id").asText(), JSON.writeValueAsString(client), 204);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clients of realm " + realm, e);
        }
    }

    /** Imports a realm file (a RealmRepresentation, as exported) and waits until the realm answers. */
    public void importRealm(Path realmFile) {
        try {
            String json = Files.readString(realmFile);
            String realm = JSON.readTree(json).path("realm").asText();
            if (realm.isEmpty()) {
                throw new IllegalArgumentException(realmFile + " has no \"realm\" name");
            }
            admin("POST", "/admin/realms", json, 201);
            awaitUp(realm);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read realm file " + realmFile, e);
        }
    }

    /** Stops the server (the kc.sh wrapper and its java child) and waits for both to end. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) stop() itself
        }
    }

    private void stop() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        // kc.sh forwards SIGTERM to its java child, but a child it exec'd or lost still gets one
        // directly: Keycloak shuts down cleanly (and releases its H2 file) on SIGTERM.
        tree.forEach(ProcessHandle::destroy);
        Instant deadline = Instant.now().plus(STOP_GRACE);
        for (ProcessHandle handle : tree) {
            long left = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            try {
                handle.onExit().get(left, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception notYet) {
                handle.destroyForcibly();
            }
        }
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitUp(String realm) {
        URI discovery = URI.create(issuer(realm) + "/.well-known/openid-configuration");
        Instant deadline = Instant.now().plus(START_DEADLINE);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue()
                        + " before realm " + realm + " answered; log " + log + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(discovery)
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the server is still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Keycloak realm " + realm + " not up after "
                        + START_DEADLINE.toSeconds() + " s; log " + log + ":\n" + logTail());
            }
            sleepBriefly();
        }
    }

    private String token(String realm, String form) {
        return token(http, url(), realm, form);
    }

    private static String token(HttpClient http, String url, String realm, String form) {
        HttpResponse<String> response = send(http, HttpRequest.newBuilder(
                        URI.create(url + "/realms/" + realm + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw new KeycloakException("token request to realm " + realm + " failed", response);
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            return body.get("access_token").asText();
        } catch (IOException | NullPointerException e) {
            throw new KeycloakException("token response from realm " + realm + " has no access_token", response);
        }
    }

    private void admin(String method, String path, String json, int expectedStatus) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url() + path))
                .header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json)).build());
        if (response.statusCode() != expectedStatus) {
            throw new KeycloakException(method + " " + path + " failed", response);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        return send(http, request);
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak did not answer " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String form(String... pairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            fields.put(pairs[i], pairs[i + 1]);
        }
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(250); // polling interval while the server starts, not a wait for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Keycloak", e);
        }
    }

    // ---- the distribution ----

    /**
     * The unpacked distribution to run: {@value #HOME_PROPERTY} if set, else the Maven repository's
     * zip unpacked once into {@code ~/.cache/berth/keycloak-<version>}. Makes {@code bin/*.sh}
     * executable either way, since unpacking tools (dependency:unpack among them) drop file modes.
     */
    public static Path distribution() {
        String configured = System.getProperty(HOME_PROPERTY);
        Path home = configured != null && !configured.isBlank()
                ? Path.of(configured).toAbsolutePath()
                : unpackedFromMavenRepository();
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException("no Keycloak distribution at " + home + " (bin/kc.sh missing)");
        }
        makeScriptsExecutable(home.resolve("bin"));
        return home;
    }

    /** The dist zip in the local Maven repository ({@code maven.repo.local} or ~/.m2/repository). */
    public static Path zipInMavenRepository() {
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank()
                ? Path.of(repo)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return root.toAbsolutePath().resolve("org/keycloak/keycloak-quarkus-dist/" + VERSION
                + "/keycloak-quarkus-dist-" + VERSION + ".zip");
    }

    private static Path unpackedFromMavenRepository() {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "berth");
        Path home = cache.resolve("keycloak-" + VERSION);
        if (Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            return home;
        }
        Path zip = zipInMavenRepository();
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException("Keycloak " + VERSION + " is not in the local Maven repository (" + zip
                    + "); fetch it with ./mvnw -B -N dependency:get -Dtransitive=false"
                    + " -Dartifact=org.keycloak:keycloak-quarkus-dist:"
                    + VERSION + ":zip, or set -D" + HOME_PROPERTY + "=<an unpacked distribution>");
        }
        try {
            Files.createDirectories(cache);
            try (FileChannel channel = FileChannel.open(cache.resolve("keycloak-" + VERSION + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (Files.isRegularFile(home.resolve("bin/kc.sh"))) {
                    return home; // another JVM unpacked it while this one waited
                }
                // Unpacked aside, then renamed: a half-unpacked tree is never taken for a distribution.
                Path partial = Files.createTempDirectory(cache, "keycloak-" + VERSION + ".partial");
                unzip(zip, partial);
                Path top = partial.resolve("keycloak-" + VERSION);
                Files.move(Files.isDirectory(top) ? top : partial, home, StandardCopyOption.ATOMIC_MOVE);
                Directories.deleteQuietly(partial);
            }
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + " into " + home, e);
        }
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = entries.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the target dir: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(entries, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void makeScriptsExecutable(Path bin) {
        try (Stream<Path> scripts = Files.list(bin)) {
            for (Path script : scripts.filter(p -> p.toString().endsWith(".sh")).toList()) {
                Set<PosixFilePermission> modes = EnumSet.copyOf(Files.getPosixFilePermissions(script));
                if (modes.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE))) {
                    Files.setPosixFilePermissions(script, modes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the scripts in " + bin + " executable", e);
        }
    }

    /** A request Keycloak refused; the message carries its status and error body. */
    public static final class KeycloakException extends RuntimeException {
        private final int status;
        private final String body;

        KeycloakException(String what, HttpResponse<String> response) {
            super(what + ": HTTP " + response.statusCode() + " " + response.body());
            this.status = response.statusCode();
            this.body = response.body();
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }
}
