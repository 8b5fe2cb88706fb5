package dev.berth.agent.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line that starts a task, built from two tiny shell programs so that no helper binary
 * needs installing and nothing stays resident but the task itself and one shell:
 * <ol>
 *   <li>{@link #JOIN}, run first: writes its own pid into the task's cgroups, then {@code exec}s
 *       the rest. Everything the task ever starts is therefore counted and limited from its first
 *       instruction, and the cgroup, not a process-group guess, says what belongs to the task.</li>
 *   <li>{@link #INIT}: the task's init. Inside a PID namespace it is pid 1 (so its process is
 *       {@code unshare --fork}'s child); it sets the task's hostname, brings the loopback up in a
 *       private network, starts the task's command as its child, forwards SIGTERM to it (a pid 1
 *       without a handler would ignore it), waits, and writes the exit code to a file outside the
 *       sandbox. That file is how an agent that restarted learns how a task it did not start ended.</li>
 * </ol>
 */
final class LaunchCommand {
    /** $1: cgroup.procs files, ':'-separated; then the command to exec. Builtins only. */
    static final String JOIN = "IFS=:; for f in $1; do echo $$ > \"$f\" || exit 125; done; unset IFS; shift; "
            + "exec \"$@\"";
    /** $1: exit file, $2: hostname or "", $3: ip(8) to bring lo up, or ""; then the task's command. */
    static final String INIT = "exit_file=$1; host=$2; ip=$3; shift 3; "
            + "if [ -n \"$host\" ]; then echo \"$host\" > /proc/sys/kernel/hostname; fi; "
            + "if [ -n \"$ip\" ]; then \"$ip\" link set lo up; fi; "
            + "trap 'kill -TERM $child 2>/dev/null' TERM INT HUP; "
            + "\"$@\" & child=$!; "
            + "while :; do wait $child; code=$?; kill -0 $child 2>/dev/null || break; done; "
            + "echo $code > \"$exit_file\"; exit $code";

    private LaunchCommand() {
    }

    /**
     * @param procsFiles  the task's {@code cgroup.procs} files (none: no cgroups)
     * @param namespaces  unshare and its flags (empty: no namespaces)
     * @param exitFile    where the init writes the exit code
     * @param hostname    the task's own hostname (only with namespaces)
     * @param loopbackUp  {@code ip} to bring lo up (only with a private network)
     * @param task        the task's own command, user switch included
     */
    static List<String> of(Optional<Path> setsid, List<Path> procsFiles, List<String> namespaces, Path exitFile,
                           String hostname, Optional<Path> loopbackUp, List<String> task) {
        List<String> command = new ArrayList<>();
        setsid.ifPresent(path -> command.add(path.toString()));
        command.addAll(joining(procsFiles));
        command.addAll(namespaces);
        if (!namespaces.isEmpty()) {
            command.add("--");
        }
        command.addAll(List.of("/bin/sh", "-c", INIT, "berth-init", exitFile.toString(),
                namespaces.isEmpty() ? "" : hostname, loopbackUp.map(Path::toString).orElse("")));
        command.addAll(task);
        return command;
    }

    /** A command run next to a task (a health check): in its cgroups and namespaces, as its user. */
    static List<String> nextTo(List<Path> procsFiles, Optional<Path> nsenter, long namespaceInit, boolean privateNet,
                               List<String> userSwitch, String shellCommand) {
        List<String> command = new ArrayList<>(joining(procsFiles));
        if (nsenter.isPresent() && namespaceInit > 0) {
            // --wd: entering a mount namespace moves the caller to its root; the task's cwd is its sandbox.
            command.addAll(List.of(nsenter.get().toString(), "-t", Long.toString(namespaceInit), "-p", "-m", "-u",
                    "-i", "--wd"));
            if (privateNet) {
                command.add("-n");
            }
            command.add("--");
        }
        command.addAll(userSwitch);
        command.addAll(List.of("/bin/sh", "-c", shellCommand));
        return command;
    }

    /** {@link #JOIN} into these cgroups, as the command's prefix; nothing without cgroups. */
    private static List<String> joining(List<Path> procsFiles) {
        if (procsFiles.isEmpty()) {
            return List.of();
        }
        return List.of("/bin/sh", "-c", JOIN, "berth-join",
                String.join(":", procsFiles.stream().map(Path::toString).toList()));
    }
}
