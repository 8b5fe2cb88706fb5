package dev.berth.system;

import dev.berth.testkit.FreePorts;
import dev.berth.testkit.Keycloak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The local run of {@code deploy/local/}, driven as a person drives it ({@code up}, {@code status},
 * {@code down}), but apart from any other run on the machine: its own run dir, a free port for every
 * part, its own agents' cgroup parent and no bridges. What the scripts print goes to
 * {@code target/system-tests/local-run.log}.
 */
final class LocalRun {
    /**
     * The parts, as {@code deploy/local/settings.sh} lists them: the image registry among them where
     * Debian's docker-registry is installed.
     */
    static final List<String> PARTS = Files.isExecutable(Path.of("/usr/bin/docker-registry"))
            ? List.of("infra", "keycloak", "registry", "scheduler", "scheduler-2", "volume-service", "gateway",
                    "router", "node-1", "node-2")
            : List.of("infra", "keycloak", "scheduler", "scheduler-2", "volume-service", "gateway", "router",
                    "node-1", "node-2");

    private final Path root;
    private final Path runDir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final String cgroupParent;
    private final Path log;

    /** What one script printed, and how it ended. */
    record Outcome(int exitCode, String output) {
    }

    private LocalRun(Path root, Path runDir, String cgroupParent, Path log) {
        this.root = root;
        this.runDir = runDir;
        this.cgroupParent = cgroupParent;
        this.log = log;
    }

    /** A run in a new temporary run dir, with free ports; nothing is started yet. */
    static LocalRun apart() {
        Path root = Path.of(System.getProperty("berth.root", "..")).toAbsolutePath().normalize();
        try {
            Path runDir = Files.createTempDirectory("berth-local-run-");
            Path logDir = Files.createDirectories(root.resolve("system-tests/target/system-tests"));
            LocalRun run = new LocalRun(root, runDir, "berth-local-it-" + UUID.randomUUID().toString().substring(0, 8),
                    logDir.resolve("local-run.log"));
            run.env.put("BERTH_RUN_DIR", runDir.toString());
            for (String port : List.of("BERTH_GATEWAY_PORT", "BERTH_SCHEDULER_PORT", "BERTH_STANDBY_SCHEDULER_PORT",
                    "BERTH_VOLUME_PORT", "BERTH_ROUTER_PORT", "BERTH_ROUTER_ADMIN_PORT", "BERTH_KAFKA_PORT", "BERTH_PG_PORT", "BERTH_KEYCLOAK_PORT",
                    "BERTH_NODE1_PORT", "BERTH_NODE2_PORT", "BERTH_REGISTRY_PORT")) {
                run.env.put(port, Integer.toString(FreePorts.next()));
            }
            // Host ports for tasks below 32768 (the kernel's range for outgoing connections); none is
            // started here, so they only have to differ from the default run's.
            run.env.put("BERTH_NODE1_TASK_PORTS", "25600-25649");
            run.env.put("BERTH_NODE2_TASK_PORTS", "25650-25699");
            // No bridge: the bridges' subnets are fixed, and another run on the machine may hold them.
            run.env.put("BERTH_NODE1_BRIDGE", "none");
            run.env.put("BERTH_NODE2_BRIDGE", "none");
            run.env.put("BERTH_AGENT_CGROUP_PARENT", run.cgroupParent);
            // The Keycloak failsafe unpacked for the suites, rather than a second copy in ~/.cache.
            String keycloakHome = System.getProperty("berth.keycloak.home");
            if (keycloakHome != null) {
                run.env.put("BERTH_KEYCLOAK_HOME", keycloakHome);
            }
            return run;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Outcome up(Duration deadline) {
        return script("up", deadline);
    }

    Outcome status() {
        return script("status", Duration.ofSeconds(60));
    }

    Outcome down() {
        return script("down", Duration.ofMinutes(3));
    }

    /** The pid each part's pid file names now (absent: none). */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String part : PARTS) {
            Path file = runDir.resolve("pids").resolve(part + ".pid");
            try {
                if (Files.exists(file)) {
                    pids.put(part, Long.parseLong(Files.readString(file).trim()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return pids;
    }

    int port(String setting) {
        return Integer.parseInt(env.get(setting));
    }

    String gateway() {
        return "http://127.0.0.1:" + port("BERTH_GATEWAY_PORT");
    }

    String router() {
        return "http://127.0.0.1:" + port("BERTH_ROUTER_PORT");
    }

    /**
     * A person's access token from the run's Keycloak (its address is in the run dir's keycloak.env,
     * as up writes it), by the password grant of the command line's client, as {@code berth login} does.
     */
    String token(String user, String password) {
        try {
            String keycloak = Files.readAllLines(runDir.resolve("keycloak/keycloak.env")).stream()
                    .filter(line -> line.startsWith("KEYCLOAK_URL=")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no KEYCLOAK_URL in the run's keycloak.env"))
                    .substring("KEYCLOAK_URL=".length());
            return Keycloak.passwordToken(keycloak, "berth", "berth-cli", user, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as a crash would: the part's pid file stays behind. */
    void kill(String part) {
        long pid = pids().get(part);
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /**
     * Removes what the run leaves on the machine once it is down: its run dir (its parts' logs are
     * kept, in {@code target/system-tests/local-run-logs/}), and the cgroups its agents made under their
     * parent (empty once their tasks are gone; a cgroup is removed by rmdir, deepest first, its control
     * files with it).
     */
    void clean() {
        keepLogs();
        dev.berth.testkit.Directories.deleteQuietly(runDir);
        try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Path parent = hierarchy.resolve(cgroupParent);
                if (!Files.isDirectory(parent)) {
                    continue;
                }
                try (Stream<Path> groups = Files.walk(parent)) {
                    groups.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).forEach(group -> {
                        try {
                            Files.delete(group);
                        } catch (IOException e) {
                            // a group still in use stays; it names this run, so it cannot mislead another
                        }
                    });
                }
            }
        } catch (IOException e) {
            // no cgroup file system here: the agents ran best-effort and made none
        }
    }

    private void keepLogs() {
        Path kept = log.resolveSibling("local-run-logs");
        try (Stream<Path> logs = Files.list(runDir.resolve("logs"))) {
            Files.createDirectories(kept);
            for (Path file : logs.toList()) {
                Files.copy(file, kept.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // nothing was logged, or nothing could be kept: the run dir goes all the same
        }
    }

    private Outcome script(String name, Duration deadline) {
        Path script = root.resolve("deploy/local").resolve(name);
        try {
            Path output = Files.createTempFile("berth-local-" + name + "-", ".out");
            ProcessBuilder builder = new ProcessBuilder(script.toString())
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().putAll(env);
            long started = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("deploy/local/" + name + " did not end within " + deadline
                        + "; it printed: " + Files.readString(output));
            }
            String printed = Files.readString(output);
            Files.delete(output);
            Files.writeString(log, "$ deploy/local/" + name + "   (exit " + process.exitValue() + ", "
                            + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s)\n" + printed + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            return new Outcome(process.exitValue(), printed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "local run in " + runDir + " " + env;
    }
}
