package dev.berth.router.haproxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The haproxy process tree: one master (master-worker mode, {@code -W}) that stays this JVM's child
 * for its whole life, and the worker that serves. A reload is asked of the master through its socket
 * ({@code -S}): it re-executes itself in place and starts a new worker, which takes the listening
 * sockets from the old one, so a reload needs no new process tree and refuses no connection. Knows
 * nothing of routes.
 */
final class HaproxyProcess implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HaproxyProcess.class.getName());
    /** How long a worker may take to answer, at start and after a reload, on a busy machine. */
    private static final Duration WORKER_START = Duration.ofSeconds(15);
    private static final Duration COMMAND = Duration.ofSeconds(5);
    private static final Pattern PID = Pattern.compile("(?m)^Pid: (\\d+)$");
    private static final Pattern FAILED_RELOADS = Pattern.compile("\\[failed: (\\d+)]");

    private final Process process;
    private final Path binary;
    private final Path log;
    private final UnixSocketCli stats;
    private final UnixSocketCli master;
    /** Stops haproxy if the JVM exits without closing it, so no router leaves an orphan serving stale routes. */
    private final Thread stopAtExit;

    private HaproxyProcess(Process process, Path binary, Path workDir) {
        this.process = process;
        this.stopAtExit = new Thread(process::destroy, "haproxy-stop-at-exit");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        this.binary = binary;
        this.log = workDir.resolve("haproxy.log");
        this.stats = new UnixSocketCli(workDir.resolve("haproxy.sock"), COMMAND);
        this.master = new UnixSocketCli(workDir.resolve("master.sock"), COMMAND);
    }

    /** Starts haproxy on {@code config} and returns once its worker answers on the stats socket. */
    static HaproxyProcess start(Path binary, Path workDir, Path config) {
        Path dir = workDir.toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-W",
                "-S", dir.resolve("master.sock") + ",mode,600", "-f", config.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new HaproxyException("could not start " + binary + ": " + e.getMessage(), false, e);
        }
        HaproxyProcess haproxy = new HaproxyProcess(process, binary, dir);
        try {
            haproxy.awaitWorker(-1, -1);
        } catch (RuntimeException e) {
            haproxy.close();
            throw e;
        }
        return haproxy;
    }

    /**
     * Stops a master that an earlier router left in this work directory: a router killed with
     * {@code kill -9} runs no shutdown hook, and its haproxy would go on serving the routes of that
     * moment on the port the new one needs. Known by the pid file the configuration names and a command
     * line that runs this binary on this directory's configuration; any other process is left alone.
     */
    static void stopLeftover(Path binary, Path workDir, Path config) {
        Path pidFile = workDir.resolve("haproxy.pid");
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).trim());
        } catch (IOException | NumberFormatException e) {
            return; // none, or unreadable: nothing to stop
        }
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(handle -> runs(pid, binary, config));
        if (leftover.isEmpty()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "stopping haproxy " + pid + " left in " + workDir + " by an earlier router");
        ProcessHandle master = leftover.get();
        master.destroy();
        try {
            master.onExit().get(5, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            master.destroyForcibly();
            master.onExit().orTimeout(5, TimeUnit.SECONDS).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyException("interrupted while stopping a leftover haproxy", true, e);
        } catch (ExecutionException e) {
            throw new HaproxyException("could not stop the leftover haproxy " + pid + ": " + e.getMessage(), false, e);
        }
    }

    /** Whether the process runs {@code binary} with {@code config}, by its command line in /proc. */
    private static boolean runs(long pid, Path binary, Path config) {
        try {
            List<String> words = List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).split("\u0000"));
            return !words.isEmpty() && Path.of(words.get(0)).getFileName().equals(binary.getFileName())
                    && words.contains(config.toAbsolutePath().toString());
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code haproxy -c}: throws, with haproxy's own words, if it would refuse {@code candidate}. */
    void check(Path candidate) {
        try {
            Process check = new ProcessBuilder(binary.toString(), "-c", "-f", candidate.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
            String output;
            try (InputStream in = check.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!check.waitFor(WORKER_START.toSeconds(), TimeUnit.SECONDS)) {
                check.destroyForcibly();
                throw new HaproxyException("haproxy -c did not finish on " + candidate, true);
            }
            if (check.exitValue() != 0) {
                throw new HaproxyConfigRefusedException(output);
            }
        } catch (IOException e) {
            throw new HaproxyException("could not run haproxy -c: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyException("interrupted while haproxy checked its configuration", true, e);
        }
    }

    /** Has the master reload the configuration file and waits until a new worker answers. */
    void reload() {
        ensureAlive();
        int oldWorker;
        int failedBefore;
        try {
            oldWorker = workerPid();
        } catch (IOException e) {
            throw new HaproxyException("haproxy's worker does not answer: " + e.getMessage(), true, e);
        }
        // The master's socket refuses connections while the master is busy (re-executing itself, or
        // just after the start, before its CLI listens): asking again within the deadline is safe, and
        // a second reload, were the first one taken after all, would do no harm.
        long deadline = System.nanoTime() + WORKER_START.toNanos();
        while (true) {
            try {
                failedBefore = failedReloads();
                master.send("reload");
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new HaproxyException("could not ask haproxy's master to reload: " + e.getMessage(), true, e);
                }
                ensureAlive();
                pause();
            }
        }
        awaitWorker(oldWorker, failedBefore);
    }

    /**
     * Runtime API commands to the worker, all on one connection; each one's reply, in order, which is
     * empty or a message. A reply missing (a connection lost, no answer in time) fails them all: haproxy
     * may have carried out some, which is harmless, as every command sets a state rather than changes it.
     */
    List<String> runtime(List<String> commands) {
        try {
            return stats.sendAll(commands);
        } catch (IOException e) {
            ensureAlive();
            throw new HaproxyException("haproxy's stats socket did not take " + commands.size() + " commands, from '"
                    + commands.get(0) + "': " + e.getMessage(), true, e);
        }
    }

    void ensureAlive() {
        if (!process.isAlive()) {
            throw new HaproxyException("haproxy exited (" + process.exitValue() + "): " + logTail(), false);
        }
    }

    private int workerPid() throws IOException {
        Matcher pid = PID.matcher(stats.send("show info"));
        if (!pid.find()) {
            throw new IOException("no Pid in haproxy's show info");
        }
        return Integer.parseInt(pid.group(1));
    }

    private int failedReloads() throws IOException {
        Matcher failed = FAILED_RELOADS.matcher(master.send("show proc"));
        return failed.find() ? Integer.parseInt(failed.group(1)) : 0;
    }

    /**
     * Polls until a worker other than {@code oldWorker} answers on the stats socket: the new worker
     * binds the socket once its configuration is loaded and its listeners are taken, so its answer means
     * it serves. The sockets refuse connections while the master re-executes itself; that is expected.
     */
    private void awaitWorker(int oldWorker, int failedBefore) {
        long deadline = System.nanoTime() + WORKER_START.toNanos();
        String lastProblem = "no answer yet";
        while (System.nanoTime() < deadline) {
            ensureAlive();
            try {
                if (workerPid() != oldWorker) {
                    if (oldWorker == -1) {
                        failedReloads(); // at the start, the master's CLI listens a moment after the worker's
                    }
                    return;
                }
                if (failedBefore >= 0 && failedReloads() > failedBefore) {
                    throw new HaproxyException("haproxy's reload failed, the old worker keeps serving: " + logTail(), false);
                }
            } catch (IOException e) {
                lastProblem = e.getMessage();
            }
            pause();
        }
        throw new HaproxyException("haproxy's new worker did not answer within " + WORKER_START.toSeconds()
                + " s (" + lastProblem + "): " + logTail(), true);
    }

    /** A poll interval, not a wait for an outcome: every loop that pauses has a deadline. */
    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HaproxyException("interrupted while waiting for haproxy", true, e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** Stops the master, which stops its workers; forcibly if it does not go within five seconds. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
