package dev.berth.agent.runtime;

import dev.berth.agent.cgroups.Cgroups;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What this host lets the agent do to fence tasks off, found out once at start by trying it: cgroups
 * (v1 or v2, writable), namespaces ({@code unshare} actually creating them, which needs root or
 * user namespaces), switching users ({@code setpriv} as root). Each part degrades on its own, and
 * the node's isolation says what is left.
 *
 * @param cgroups     the task groups, or empty where the agent may not create them
 * @param unshare     {@code unshare(1)} when it can create PID, mount, UTS and IPC namespaces here
 * @param privateNet  it can create network namespaces too (for apps with network NONE)
 * @param setsid      {@code setsid(1)}, so a task leads its own session
 * @param setpriv     {@code setpriv(1)} when the agent runs as root and can switch to another user
 * @param nsenter     {@code nsenter(1)}, to run health-check commands inside a task's namespaces
 * @param ip          {@code ip(8)}, to bring up the loopback of a private network namespace
 */
public record HostIsolation(Optional<Cgroups> cgroups, Optional<Path> unshare, boolean privateNet,
                            Optional<Path> setsid, Optional<Path> setpriv, Optional<Path> nsenter,
                            Optional<Path> ip) {
    private static final Logger LOG = Logger.getLogger(HostIsolation.class);
    private static final List<String> BIN = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");
    static final List<String> NAMESPACES = List.of("--pid", "--fork", "--mount-proc", "--uts", "--ipc", "--mount",
            "--kill-child");

    /** No cgroups, no namespaces: plain processes in their own session. */
    public static HostIsolation bestEffort() {
        return new HostIsolation(Optional.empty(), Optional.empty(), false, tool("setsid"), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /**
     * Probes the host.
     *
     * @param mode        {@code auto}, {@code cgroups} (fail without them) or {@code best-effort}
     * @param cgroupRoot  where the hierarchies are mounted
     * @param cgroupParent the agent's group under each hierarchy
     */
    public static HostIsolation detect(String mode, Path cgroupRoot, String cgroupParent) {
        if (mode.equals("best-effort")) {
            return bestEffort();
        }
        if (!mode.equals("auto") && !mode.equals("cgroups")) {
            throw new IllegalArgumentException("berth.agent.isolation must be auto, cgroups or best-effort, was "
                    + mode);
        }
        Optional<Cgroups> cgroups = Cgroups.detect(cgroupRoot, cgroupParent);
        Optional<Path> unshare = tool("unshare").filter(u -> works(u, NAMESPACES));
        boolean privateNet = unshare.isPresent() && works(unshare.get(), List.of("--net"));
        boolean root = "root".equals(System.getProperty("user.name"));
        HostIsolation found = new HostIsolation(cgroups, unshare, privateNet, tool("setsid"),
                root ? tool("setpriv") : Optional.empty(), tool("nsenter"), tool("ip"));
        if (mode.equals("cgroups") && (cgroups.isEmpty() || unshare.isEmpty())) {
            throw new IllegalStateException("berth.agent.isolation=cgroups, but this host allows "
                    + found.describe() + " (the agent needs root and a writable cgroup hierarchy under "
                    + cgroupRoot + ")");
        }
        return found;
    }

    /** The node's isolation as reported to the cluster: by cgroups, since only they enforce limits. */
    public String isolation() {
        return cgroups.map(Cgroups::isolation).orElse("best-effort");
    }

    /**
     * True when volumes can be bound into tasks: each task has its own (private) mount namespace, and
     * mount(8) is there to bind in it.
     */
    public boolean mountNamespaces() {
        return unshare.isPresent() && tool("mount").isPresent();
    }

    /** One line for the agent's start log. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(cgroups.map(Cgroups::isolation).orElse("no cgroups"));
        parts.add(unshare.isPresent() ? "namespaces pid,mount,uts,ipc" + (privateNet ? ",net" : "")
                : "no namespaces");
        parts.add(setpriv.isPresent() ? "can switch users" : "cannot switch users");
        return String.join(", ", parts);
    }

    static Optional<Path> tool(String name) {
        return BIN.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** Runs {@code unshare <flags> true}: the flags are usable exactly when that succeeds. */
    private static boolean works(Path unshare, List<String> flags) {
        List<String> command = new ArrayList<>();
        command.add(unshare.toString());
        command.addAll(flags);
        command.add("--");
        command.add("/bin/true");
        try {
            Process probe = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!probe.waitFor(10, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            LOG.debugf("probed %s %s", unshare, flags);
        }
    }
}
