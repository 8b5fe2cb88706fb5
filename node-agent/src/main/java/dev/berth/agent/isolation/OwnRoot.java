package dev.berth.agent.isolation;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A root file system of its own for each task (as Nomad's exec driver and Mesos's {@code filesystem/linux}
 * isolator give): the native helper {@code berth-confine} (built from {@code src/main/c} with the agent,
 * carried in its jar) builds it and {@code pivot_root}s into it, then drops the task's privileges. This
 * class prepares what the helper needs on the node (the helper itself under {@code <work-dir>/bin}, the
 * reduced {@code /etc}, the empty directory every task mounts its root on) and words its command line.
 *
 * @param tool       the helper
 * @param mountPoint where each task mounts its own root, in its own mount namespace (one empty directory
 *                   serves every task: the mounts are private to each)
 * @param etc        the reduced {@code /etc} ({@link TaskEtc})
 * @param systemDirs host directories bound read-only into every root ({@code berth.agent.chroot-env})
 */
public record OwnRoot(Path tool, Path mountPoint, Path etc, List<String> systemDirs) {
    private static final Logger LOG = Logger.getLogger(OwnRoot.class);
    /** Where a task finds its sandbox in its root: Mesos's path, so Marathon apps that use it run unchanged. */
    public static final Path SANDBOX = Path.of("/mnt/mesos/sandbox");
    /** Nomad's chroot_env, less /etc (ours is reduced) and /run/resolvconf (resolv.conf is copied). */
    public static final List<String> DEFAULT_SYSTEM_DIRS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32", "/usr");
    static final String TOOL = "berth-confine";

    public OwnRoot {
        systemDirs = List.copyOf(systemDirs);
    }

    /**
     * Prepares the node's part under {@code workDir} and tries it once: a real launch into a task root,
     * as {@code probeUser}, in fresh namespaces, as tasks get them.
     *
     * @return the own root when the probe worked; otherwise why not (as the node will report it)
     */
    public static Detected detect(Path workDir, List<String> systemDirs, List<String> etcEntries,
                                  String probeUser) {
        OwnRoot root;
        try {
            root = prepare(workDir, systemDirs, etcEntries);
        } catch (IOException | RuntimeException e) {
            return new Detected(Optional.empty(), "cannot prepare task roots: " + e.getMessage());
        }
        Optional<String> failure = root.probe(workDir, probeUser);
        return failure.map(why -> new Detected(Optional.<OwnRoot>empty(), why))
                .orElseGet(() -> new Detected(Optional.of(root), "own root per task"));
    }

    /** The outcome of {@link #detect}: the own root, or empty with the reason in {@code why}. */
    public record Detected(Optional<OwnRoot> ownRoot, String why) {
    }

    /** Writes the helper, the reduced /etc and the mount point under the work dir. */
    public static OwnRoot prepare(Path workDir, List<String> systemDirs, List<String> etcEntries) throws IOException {
        Path bin = workDir.resolve("bin");
        Files.createDirectories(bin);
        Path tool = bin.resolve(TOOL);
        try (InputStream binary = OwnRoot.class.getResourceAsStream("/native/" + TOOL)) {
            if (binary == null) {
                throw new IOException("the agent was built without its native helper " + TOOL
                        + " (src/main/c; the build needs a C compiler)");
            }
            // Beside and renamed: tasks running now keep executing the old file.
            Path next = bin.resolve("." + TOOL + ".new");
            Files.copy(binary, next, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(next, tool, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Path mountPoint = workDir.resolve("task-root");
        Files.createDirectories(mountPoint);
        Path etc = workDir.resolve("task-etc");
        TaskEtc.prepare(Path.of("/etc"), etc, etcEntries);
        return new OwnRoot(tool, mountPoint, etc, systemDirs);
    }

    /**
     * The whole launch of a task in its own root, as one process: the helper's {@code launch} joins the
     * task's cgroups, leads its session, makes its namespaces and is the init of its PID namespace (the
     * hostname, the loopback, the exit file, the lease watchdog), then does {@link #confinement}'s part. This
     * replaces setsid, the JOIN and INIT shells and unshare of a task without an own root: one exec
     * before the task's own, where those take five.
     *
     * @param procsFiles the task's {@code cgroup.procs} files (none: no cgroups)
     * @param privateNet a network namespace of its own with only a loopback
     * @param watchdog   the lease and fenced mark and the epochs to guard; empty: no watchdog
     * @param confined   {@link #confinement}'s options and the task's command
     */
    public List<String> launch(List<Path> procsFiles, Path exitFile, String hostname, boolean privateNet,
                               Optional<Watchdog> watchdog, List<String> confined) {
        List<String> command = new ArrayList<>(List.of(tool.toString(), "launch", "--exit-file", exitFile.toString(),
                "--hostname", hostname));
        if (!procsFiles.isEmpty()) {
            command.add("--procs");
            command.add(String.join(":", procsFiles.stream().map(Path::toString).toList()));
        }
        if (privateNet) {
            command.add("--net");
        }
        watchdog.ifPresent(w -> {
            command.addAll(List.of("--lease", w.lease().toString(), "--fenced", w.fenced().toString()));
            w.epochs().forEach((file, epoch) -> command.addAll(List.of("--epoch", file.toString(),
                    Long.toString(epoch))));
        });
        command.add("--");
        command.addAll(confined);
        return command;
    }

    /** What the init's watchdog guards: the node's lease, and each external volume's epoch file with the task's epoch. */
    public record Watchdog(Path lease, Path fenced, java.util.Map<Path, Long> epochs) {
    }

    /**
     * The helper's options for one task's root and user, ending with the task's own command: what
     * {@link #launch} hands the init's child.
     *
     * @param sandboxDir the task's sandbox on the host (bound at {@link #SANDBOX})
     * @param user       who the task runs as
     * @param hosts      the task's {@code /etc/hosts}
     * @param volumes    what to bind, with targets already inside the task's root, parents first
     * @param marks      the files the helper writes: mounted, root failed, volume failed
     */
    public List<String> confinement(Path sandboxDir, String user, Path hosts, List<Volume> volumes, Marks marks,
                                    List<String> task) {
        return confinement(sandboxDir, user, Optional.empty(), hosts, volumes, marks, task);
    }

    /**
     * As {@link #confinement(Path, String, Path, List, Marks, List)}, for a task that may run an image: then
     * its root is the image's ({@link ImageRoot}) instead of the node's system directories, and its user
     * comes as the numbers the image gives it.
     */
    public List<String> confinement(Path sandboxDir, String user, Optional<ImageRoot> image, Path hosts,
                                    List<Volume> volumes, Marks marks, List<String> task) {
        List<String> command = new ArrayList<>(List.of("--root", mountPoint.toString(), "--etc",
                etc.toString(), "--hosts", hosts.toString()));
        if (image.isPresent()) {
            ImageRoot root = image.get();
            command.addAll(List.of("--ids", Integer.toString(root.uid()), Integer.toString(root.gid()), "--image",
                    String.join(":", root.lowerTopFirst().stream().map(Path::toString).toList()),
                    root.upper().toString(), root.work().toString()));
            root.workingDir().ifPresent(dir -> command.addAll(List.of("--workdir", dir)));
        } else {
            command.addAll(List.of("--user", user));
        }
        command.addAll(List.of("--sandbox", sandboxDir.toString(), SANDBOX.toString(), "--failed",
                marks.rootFailed().toString(), "--volume-failed", marks.volumeFailed().toString()));
        for (String dir : image.isPresent() ? List.<String>of() : systemDirs) {
            command.add("--ro");
            command.add(dir);
        }
        for (Volume volume : volumes) {
            command.addAll(List.of("--volume", volume.id(), volume.source().toString(), volume.target().toString(),
                    volume.readOnly() ? "ro" : "rw"));
        }
        if (!volumes.isEmpty()) {
            command.add("--mounted");
            command.add(marks.mounted().toString());
        }
        command.add("--");
        command.addAll(task);
        return command;
    }

    /**
     * The root of a task that runs an image: an overlay of its unpacked layers under a writable directory
     * of its own.
     *
     * @param lowerTopFirst the image's layers, the top one first (overlayfs's order)
     * @param upper         where the task's writes go (in its sandbox)
     * @param work          overlayfs's work directory, beside {@code upper}
     * @param workingDir    the image's working directory; empty: the sandbox
     */
    public record ImageRoot(List<Path> lowerTopFirst, Path upper, Path work, Optional<String> workingDir, int uid,
                            int gid) {
        public ImageRoot {
            lowerTopFirst = List.copyOf(lowerTopFirst);
        }
    }

    /** A volume bound at {@code target}, a path inside the task's root. */
    public record Volume(String id, Path source, Path target, boolean readOnly) {
    }

    /** The marks the helper leaves for the agent, outside the task's reach. */
    public record Marks(Path mounted, Path rootFailed, Path volumeFailed) {
    }

    /** Where a path of the task's sandbox on the host is seen inside its root. */
    public static Path inside(Path sandboxDir, Path hostPath) {
        Path sandbox = sandboxDir.toAbsolutePath().normalize();
        Path path = hostPath.toAbsolutePath().normalize();
        return path.startsWith(sandbox) ? SANDBOX.resolve(sandbox.relativize(path).toString()) : path;
    }

    /** The task's {@code /etc/hosts}: its own hostname resolves, as it does on a host. */
    public static String hostsFile(String hostname) {
        return "127.0.0.1\tlocalhost\n127.0.1.1\t" + hostname + "\n::1\tlocalhost ip6-localhost ip6-loopback\n";
    }

    private Optional<String> probe(Path workDir, String user) {
        Path dir = workDir.resolve("task-root-probe");
        try {
            Files.createDirectories(dir);
            Path hosts = dir.resolve("hosts");
            Files.writeString(hosts, hostsFile("probe"));
            Path failed = dir.resolve("failed");
            Files.deleteIfExists(failed);
            List<String> command = launch(List.of(), dir.resolve("exit"), "probe", false, Optional.empty(),
                    confinement(dir, user, hosts, List.of(), new Marks(dir.resolve("mounted"), failed, failed),
                    List.of("/bin/sh", "-c", "test \"$(id -u)\" = \"$(id -u " + user + ")\" && test ! -e "
                            + workDir.toAbsolutePath())));
            Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return Optional.of("the own-root probe did not end within 10 s");
            }
            if (probe.exitValue() != 0) {
                return Optional.of("the own-root probe failed (exit " + probe.exitValue() + "): "
                        + (out.isEmpty() ? "no output" : out));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("the own-root probe could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            LOG.debugf("probed an own root in %s", dir);
        }
    }
}
