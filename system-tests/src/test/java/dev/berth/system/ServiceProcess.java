package dev.berth.system;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Berth service ({@code <module>/target/quarkus-app/quarkus-run.jar}) running as its
 * own JVM process, the way it runs in production, with its log in {@code target/system-tests/}.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int httpPort;
    private final Process process;
    private final Path log;

    private ServiceProcess(String name, int httpPort, Process process, Path log) {
        this.name = name;
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    /** The JVM options a service runs with unless a test says otherwise: small heap, serial GC, quick start. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx160m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /** Starts the module's packaged jar with the given environment and waits until it reports ready. */
    public static ServiceProcess start(String name, String module, int httpPort, Map<String, String> env) {
        return start(name, module, httpPort, env, DEFAULT_JVM_OPTIONS);
    }

    /** As {@link #start(String, String, int, Map)}, with these JVM options instead of the defaults. */
    public static ServiceProcess start(String name, String module, int httpPort, Map<String, String> env,
                                       List<String> jvmOptions) {
        Path root = Path.of(System.getProperty("berth.root", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (mvn package)");
        }
        Path logDir = root.resolve("system-tests/target/system-tests");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = logDir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(javaBin());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        try {
            ServiceProcess service = new ServiceProcess(name, httpPort, builder.start(), log);
            service.awaitReady();
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void awaitReady() {
        Awaitility.await(name + " ready (log: " + log + ")")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                                .timeout(Duration.ofSeconds(2)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** The file its output goes to (appended: an earlier process of the same name wrote above). */
    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}, …). SIGSTOP freezes the process as a long
     * pause or a cut network would: it neither works nor answers, and its connections go quiet.
     */
    public void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
                    .waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    @Override
    public void close() {
        process.destroy();
        if (!waitFor()) {
            process.destroyForcibly();
            waitFor();
        }
    }

    private boolean waitFor() {
        try {
            return process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public String toString() {
        return name + "@" + url();
    }
}
