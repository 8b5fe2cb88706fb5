package dev.berth.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real image registry as a child process: Debian's {@code docker-registry} (CNCF Distribution 2.8,
 * {@value #BINARY}), the same server Docker Hub's open-source core is, for the tests of the agents'
 * image pulls and for the local run. No Docker engine and nothing from Docker Hub: it serves only what
 * a test pushed ({@link ImagePusher}).
 *
 * <p>It listens on 127.0.0.1 only, plain HTTP, keeps its blobs on the filesystem under the directory it
 * is given (kept across starts, as the local run wants), allows deletes, and takes anonymous pushes and
 * pulls unless started with {@link Credentials}: then every request needs basic auth, checked against
 * an htpasswd file.
 *
 * <pre>
 * try (DockerRegistry registry = DockerRegistry.start(Directories.scratch("registry"))) {
 *     String digest = ImagePusher.pushTar(tar, registry.host(), "berth/hello-http", "1");
 * }
 * </pre>
 */
public final class DockerRegistry implements AutoCloseable {
    /** Where Debian's docker-registry package puts the server. */
    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    /** It starts in well under a second; give a busy machine room. */
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path log;
    private final Thread reaper;

    /**
     * A user the registry lets in, and the htpasswd line it checks them by. The registry takes bcrypt
     * hashes only, and the JDK has no bcrypt: the line is made beforehand, e.g. with
     * {@code python3 -c "import crypt; print(crypt.crypt('PASSWORD', crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))"}
     * (or {@code htpasswd -nbB}).
     */
    public record Credentials(String user, String password, String htpasswdLine) {
        /**
         * berth / berth-password, a bcrypt hash of cost 5: the registry checks it on every request,
         * so a cheap one keeps tests fast. Tests only.
         */
        public static final Credentials TEST = new Credentials("berth", "berth-password",
                "berth:$2b$05$o7r.CRVAMFVoq/z.chvqNe0ZRuM7MaNlUSPTB3zYYnUldpKhiZ/SG");
    }

    private DockerRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        // A test JVM that dies without close() must not leave a registry behind on its port.
        this.reaper = new Thread(this::stop, "docker-registry-stop-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** An anonymous registry on a free port, its storage and log under {@code dir}. */
    public static DockerRegistry start(Path dir) {
        return start(dir, FreePorts.next(), null);
    }

    /** An anonymous registry on {@code port} (0: a free one), its storage and log under {@code dir}. */
    public static DockerRegistry start(Path dir, int port) {
        return start(dir, port, null);
    }

    /**
     * A registry on {@code port} (0: a free one) with {@code dir/config.yml}, its blobs under
     * {@code dir/storage} and its log in {@code dir/registry.log}; with basic auth if {@code credentials}
     * is not null. Returns once {@code GET /v2/} answers.
     */
    public static DockerRegistry start(Path dir, int port, Credentials credentials) {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("no image registry at " + BINARY
                    + ": install Debian's docker-registry (apt-get install docker-registry)");
        }
        int chosen = port == 0 ? FreePorts.next() : port;
        Path root = dir.toAbsolutePath();
        try {
            Files.createDirectories(root.resolve("storage"));
            Path config = root.resolve("config.yml");
            Files.writeString(config, config(root, chosen, credentials));
            Path log = root.resolve("registry.log");
            Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            DockerRegistry registry = new DockerRegistry(process, chosen, log);
            try {
                registry.awaitUp();
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the registry in " + root, e);
        }
    }

    /** The registry's configuration: Distribution's config.yml. */
    static String config(Path root, int port, Credentials credentials) throws IOException {
        StringBuilder yaml = new StringBuilder()
                .append("version: 0.1\n")
                .append("log:\n  level: info\n  formatter: text\n  accesslog:\n    disabled: false\n")
                .append("storage:\n")
                .append("  filesystem:\n    rootdirectory: ").append(root.resolve("storage")).append('\n')
                .append("  delete:\n    enabled: true\n")
                // The upload purger would sweep half-done uploads of a long test; a scratch registry needs none.
                .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
                .append("http:\n  addr: 127.0.0.1:").append(port).append('\n')
                // Signs upload state; a fixed one per start keeps the registry from warning about a random one.
                .append("  secret: ").append(UUID.randomUUID()).append('\n');
        if (credentials != null) {
            Path htpasswd = root.resolve("htpasswd");
            Files.writeString(htpasswd, credentials.htpasswdLine() + "\n");
            yaml.append("auth:\n  htpasswd:\n    realm: berth-registry\n    path: ").append(htpasswd).append('\n');
        }
        return yaml.toString();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + host();
    }

    /** {@code 127.0.0.1:<port>}: how an image reference names the registry ({@code 127.0.0.1:5000/team-a/app:1}). */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The registry's own log: requests, errors, and why it refused to start. */
    public Path log() {
        return log;
    }

    /** Stops the server and waits until it has. */
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
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code GET /v2/} until it answers: 200, or 401 where basic auth is on (it is up either way). */
    private void awaitUp() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        Instant deadline = Instant.now().plus(START_DEADLINE);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the registry exited with " + process.exitValue()
                        + " before it answered; log " + log + ":\n" + logTail());
            }
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the registry did not answer on " + url() + " within "
                        + START_DEADLINE.toSeconds() + " s; log " + log + ":\n" + logTail());
            }
            try {
                Thread.sleep(50); // polling interval while it starts, not a wait for an outcome
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the registry", e);
            }
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
