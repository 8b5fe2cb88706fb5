package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.volumes.PublishedVolumes;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line that starts a task, built from tiny shell programs so that no helper binary
 * needs installing and nothing stays resident but the task itself and one shell:
 * <ol>
 *   <li>{@link #JOIN}, run first: writes its own pid into the task's cgroups, then {@code exec}s
 *       the rest. Everything the task ever starts is therefore counted and limited from its first
 *       instruction, and the cgroup, not a process-group guess, says what belongs to the task.</li>
 *   <li>{@link #MOUNTS}, only for a task with volumes, run inside its new namespaces (after
 *       {@code unshare}, whose mount namespace is private: nothing bound there is seen by the host):
 *       binds each volume at its place, read-only ones remounted so, marks that it is done (or which
 *       volume failed, and exits without starting the task), then {@code exec}s the init, which stays pid 1.</li>
 *   <li>{@link #INIT}: the task's init. Inside a PID namespace it is pid 1 (so its process is
 *       {@code unshare --fork}'s child); it sets the task's hostname, brings the loopback up in a
 *       private network, starts the task's command as its child, forwards SIGTERM to it (a pid 1
 *       without a handler would ignore it), waits, and writes the exit code to a file outside the
 *       sandbox. That file is how an agent that restarted learns how a task it did not start ended.
 *       For a task holding an external volume it is also the task's <em>watchdog</em> (below).</li>
 * </ol>
 *
 * <p>The watchdog, in the init of a task with an external volume: before the command starts and then
 * every {@value #WATCH_INTERVAL} s while it runs it reads the node's lease (the end of the lease in
 * centiseconds of the boot clock) and {@code /proc/uptime}, and each external volume's
 * {@code .berth-epoch}, with the shell's builtin {@code read}: the only fork per round is the
 * {@code sleep}. When the lease is over (or the lease file is gone or unreadable) or an epoch moved past
 * the task's, it writes the fenced mark ({@code lease} or {@code epoch <n>}), then SIGKILLs every
 * process of the namespace ({@code kill -KILL -1} as its pid 1; outside a PID namespace only its
 * child, never the host's processes), and ends as any init does, exit file last. It is part of the
 * init, so it outlives the agent: a node whose agent is dead or cut off stops its writers by itself.
 */
final class LaunchCommand {
    /** Seconds between two watchdog rounds: the task dies within about this much after its lease ends. */
    static final String WATCH_INTERVAL = "0.2";

    /** $1: cgroup.procs files, ':'-separated; then the command to exec. Builtins only. */
    static final String JOIN = "IFS=:; for f in $1; do echo $$ > \"$f\" || exit 125; done; unset IFS; shift; "
            + "exec \"$@\"";
    /**
     * $1: mounted mark, $2: failed mark, $3: mount(8), $4: how many volumes; then per volume its id, the
     * host directory, the mount point and {@code ro} or {@code rw}; then the init to exec. Builtins and mount.
     */
    static final String MOUNTS = "mounted=$1; failed=$2; mount=$3; n=$4; shift 4; "
            + "while [ \"$n\" -gt 0 ]; do n=$((n - 1)); id=$1; src=$2; dst=$3; ro=$4; shift 4; "
            + "if ! out=$(\"$mount\" --bind \"$src\" \"$dst\" 2>&1); then "
            + "printf 'cannot mount volume %s at %s: %s\\n' \"$id\" \"$dst\" \"$out\" > \"$failed\"; exit 125; fi; "
            + "if [ \"$ro\" = ro ] && ! out=$(\"$mount\" -o remount,bind,ro \"$dst\" 2>&1); then "
            + "printf 'cannot make volume %s at %s read-only: %s\\n' \"$id\" \"$dst\" \"$out\" > \"$failed\"; "
            + "exit 125; fi; done; "
            + "echo mounted > \"$mounted\"; exec \"$@\"";
    /**
     * $1: exit file, $2: hostname or "", $3: ip(8) to bring lo up, or ""; $4: the lease file, or "" for no
     * watchdog; $5: the fenced mark; $6: sleep(1); $7: how many epoch files; then per external volume its
     * {@code .berth-epoch} and the task's epoch; then the task's command. Builtins only, and sleep.
     */
    static final String INIT = "exit_file=$1; host=$2; ip=$3; lease=$4; fenced=$5; sleep=$6; n=$7; shift 7; "
            + "i=0; while [ $i -lt \"$n\" ]; do i=$((i + 1)); eval \"ef$i=\\$1; ee$i=\\$2\"; shift 2; done; "
            + "if [ -n \"$host\" ]; then echo \"$host\" > /proc/sys/kernel/hostname; fi; "
            + "if [ -n \"$ip\" ]; then \"$ip\" link set lo up; fi; "
            + "child=; cut=; "
            + "fence() { echo \"$1\" > \"$fenced\"; cut=1; "
            + "if [ $$ -eq 1 ]; then kill -KILL -1 2>/dev/null; "
            + "elif [ -n \"$child\" ]; then kill -KILL \"$child\" 2>/dev/null; fi; }; "
            + "check() { end=; read end 2>/dev/null < \"$lease\"; read up idle < /proc/uptime; "
            + "now=${up%.*}${up#*.}; "
            + "case $end in ''|*[!0-9]*) fence lease; return;; esac; "
            + "if [ \"$now\" -ge \"$end\" ]; then fence lease; return; fi; "
            + "i=0; while [ $i -lt \"$n\" ]; do i=$((i + 1)); eval \"f=\\$ef$i; e=\\$ee$i\"; "
            + "cur=; read cur 2>/dev/null < \"$f\"; "
            + "case $cur in ''|*[!0-9]*) ;; *) if [ \"$cur\" -gt \"$e\" ]; then fence \"epoch $cur\"; return; fi;; "
            + "esac; done; }; "
            + "trap 'kill -TERM $child 2>/dev/null' TERM INT HUP; "
            + "if [ -n \"$lease\" ]; then check; if [ -n \"$cut\" ]; then echo 137 > \"$exit_file\"; exit 137; fi; fi; "
            + "\"$@\" & child=$!; "
            + "if [ -n \"$lease\" ]; then while kill -0 \"$child\" 2>/dev/null; do "
            + "if [ -z \"$cut\" ]; then check; fi; \"$sleep\" " + WATCH_INTERVAL + "; done; fi; "
            + "while :; do wait \"$child\"; code=$?; kill -0 \"$child\" 2>/dev/null || break; done; "
            + "echo $code > \"$exit_file\"; exit $code";

    private LaunchCommand() {
    }

    /** The tools the volume steps run: mount(8) to bind volumes, sleep(1) between watchdog rounds. */
    record VolumeTools(Path mount, Path sleep) {
    }

    /**
     * @param procsFiles  the task's {@code cgroup.procs} files (none: no cgroups)
     * @param namespaces  unshare and its flags (empty: no namespaces)
     * @param sandbox     where the init writes the exit code and the volume marks
     * @param hostname    the task's own hostname (only with namespaces)
     * @param loopbackUp  {@code ip} to bring lo up (only with a private network)
     * @param volumes     what to bind and guard (binds only with namespaces)
     * @param tools       present when there are volumes
     * @param task        the task's own command, user switch included
     */
    static List<String> of(Optional<Path> setsid, List<Path> procsFiles, List<String> namespaces, Sandbox sandbox,
                           String hostname, Optional<Path> loopbackUp, PublishedVolumes volumes,
                           Optional<VolumeTools> tools, List<String> task) {
        List<String> command = new ArrayList<>();
        setsid.ifPresent(path -> command.add(path.toString()));
        command.addAll(joining(procsFiles));
        command.addAll(namespaces);
        if (!namespaces.isEmpty()) {
            command.add("--");
        }
        if (!volumes.binds().isEmpty()) {
            VolumeTools with = tools.orElseThrow();
            command.addAll(List.of("/bin/sh", "-c", MOUNTS, "berth-mounts", sandbox.mountedMark().toString(),
                    sandbox.mountFailedMark().toString(), with.mount().toString(),
                    Integer.toString(volumes.binds().size())));
            for (PublishedVolumes.BindMount bind : volumes.binds()) {
                command.addAll(List.of(bind.volumeId(), bind.source().toString(), bind.target().toString(),
                        bind.readOnly() ? "ro" : "rw"));
            }
        }
        command.addAll(List.of("/bin/sh", "-c", INIT, "berth-init", sandbox.exitFile().toString(),
                namespaces.isEmpty() ? "" : hostname, loopbackUp.map(Path::toString).orElse("")));
        if (volumes.needsWatchdog()) {
            command.addAll(List.of(volumes.leaseFile().orElseThrow().toString(), sandbox.fencedMark().toString(),
                    tools.orElseThrow().sleep().toString(), Integer.toString(volumes.guards().size())));
            for (PublishedVolumes.EpochGuard guard : volumes.guards()) {
                command.addAll(List.of(guard.epochFile().toString(), Long.toString(guard.epoch())));
            }
        } else {
            command.addAll(List.of("", "", "", "0"));
        }
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
