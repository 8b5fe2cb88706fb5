package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Benchmark of one node agent starting processes, against baselines taken in the same run: the same
 * processes started by a plain loop. No scheduler: the benchmark writes {@code LaunchTask} and
 * {@code KillTask} commands to the node's partition of {@code berth.node-commands} itself, and
 * times each task by its statuses on {@code berth.task-status}.
 * <ol>
 *   <li>short-lived tasks ({@code true}): launches per second, first command sent → last FINISHED;</li>
 *   <li>long-running tasks ({@code sleep 600}): launches per second, first command sent → last
 *       RUNNING; then the agent's memory with all of them up, against before (per running task), and
 *       the memory of the tasks' own processes against the plain loop's (what the helper processes
 *       Berth puts around each task cost); then the kill of them all through the agent.</li>
 * </ol>
 * The baselines ({@link PlainLoop}) start processes with {@code ProcessBuilder}, as the agent does:
 * the plain one {@code unshare <the agent's namespace flags> -- sh -c <command>} (the issue's
 * baseline), the other the agent's whole command line with a cgroup per task, created and removed
 * around it (what the kernel and the helper processes cost without the agent). Short-lived ones are
 * timed until all have exited, long-running ones until all have started (when the agent reports
 * RUNNING).
 *
 * <p>Not part of {@code verify}; run with
 * {@code bench/run AgentLaunchBench} (builds and packages what it needs; see docs/benchmarks.md).
 * {@code bench.tasks} (500), {@code bench.warmupTasks} (50) and {@code bench.cpus} (0.1, each
 * task's cpu quota) change the run; {@code bench.jvm} adds options to the agent's JVM (a JFR
 * recording). Needs root, cgroups and namespaces (skipped on a best-effort node). Figures go to
 * stdout and {@code docs/benchmarks.md}; only correctness is asserted.
 */
class AgentLaunchBench {
    private static final String NODE = "launch-bench-1";
    /** As {@code deploy/local/up} runs the services, so the agent's memory is what an installation sees. */
    private static final List<String> AGENT_JVM = List.of("-Xmx192m", "-XX:+UseSerialGC");
    /** The agent's namespaces ({@code HostIsolation.NAMESPACES}), for the baseline. */
    private static final List<String> NAMESPACES = List.of("--pid", "--fork", "--mount-proc", "--uts", "--ipc",
            "--mount", "--kill-child");
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.brokerOnly()
            .agent(NODE, "zone=bench", Map.of("BERTH_AGENT_CPUS", "64", "BERTH_AGENT_MEM", "65536"), agentJvmOptions());

    @Test
    void launches() throws Exception {
        int tasks = Integer.getInteger("bench.tasks", 500);
        int warmup = Integer.getInteger("bench.warmupTasks", 50);
        double cpus = Double.parseDouble(System.getProperty("bench.cpus", "0.1"));
        PlainLoop plain = new PlainLoop(PlainLoop.Kind.PLAIN, cpus);
        PlainLoop plainWithCgroups = new PlainLoop(PlainLoop.Kind.CGROUPS, cpus);
        PlainLoop shellRoot = new PlainLoop(PlainLoop.Kind.SHELL_ROOT, cpus);
        try {
            BerthCluster cluster = berth.cluster();
            ServiceProcess agent = cluster.agent(NODE);
            String isolation = isolationOf(cluster.kafkaBootstrap());
            if (isolation.equals("best-effort")) {
                System.out.println("AgentLaunchBench skipped: the node isolates best-effort here (no cgroups or "
                        + "no namespaces), and the baseline needs namespaces");
            }
            assumeTrue(!isolation.equals("best-effort"), "the node isolates best-effort here");
            try (TaskStatusWatch statuses = new TaskStatusWatch(cluster.kafkaBootstrap());
                 NodeCommands commands = new NodeCommands(cluster.kafkaBootstrap(), NODE)) {
                AgentRun run = new AgentRun(agent, commands, statuses, cpus);
                Figures figures = measure(run, tasks, warmup, plain, plainWithCgroups, shellRoot);
                figures.print(tasks, cpus, isolation);
            }
        } finally {
            cleanUp(plain, plainWithCgroups, shellRoot);
        }
    }

    /** Whatever the outcome, no process of the run may outlive it; a failure here must not hide the run's own. */
    private static void cleanUp(PlainLoop... loops) {
        try {
            for (PlainLoop loop : loops) {
                loop.stopAll();
            }
            reapTasksLeft();
        } catch (RuntimeException | LinkageError e) {
            System.out.println("clean-up after the benchmark failed: " + e);
        }
    }

    private static Figures measure(AgentRun agent, int tasks, int warmup, PlainLoop plain,
                                   PlainLoop plainWithCgroups, PlainLoop shellRoot) throws Exception {
        Figures f = new Figures();
        long startedThreads = ProcessMemory.threads(agent.pid());
        // Warm-up, unmeasured: the agent's launch, exit and kill paths compiled; the kernel's caches warm.
        plain.runToEnd(warmup, "true");
        if (plainWithCgroups.available()) {
            plainWithCgroups.runToEnd(warmup, "true");
        }
        shellRoot.runToEnd(warmup, "true");
        agent.launchAndAwait("warm-short", warmup, "true", TaskState.FINISHED);
        agent.killAll(agent.launchAndAwait("warm-long", warmup, "sleep 600", TaskState.RUNNING).taskIds());
        f.agentIdle = agent.settled(startedThreads);

        // Short-lived: the plain loops, then the agent
        f.plainShortSeconds = plain.runToEnd(tasks, "true");
        f.cgroupsShortSeconds = plainWithCgroups.available() ? plainWithCgroups.runToEnd(tasks, "true")
                : Double.NaN;
        f.shellRootShortSeconds = shellRoot.runToEnd(tasks, "true");
        double cpuBefore = agent.cpuSeconds();
        f.agentShortSeconds = agent.launchAndAwait("short", tasks, "true", TaskState.FINISHED).seconds();
        f.agentShortCpu = agent.cpuSeconds() - cpuBefore;
        f.agentAfterShort = agent.settled(startedThreads);

        // Long-running: each plain loop's, measured and stopped before the next starts its own
        f.plainLongSeconds = plain.startAll(tasks, "sleep 600");
        f.plainTrees = TreeMemory.ofRunning(plain.pids());
        plain.stopAll();
        f.cgroupsLongSeconds = plainWithCgroups.available() ? plainWithCgroups.startAll(tasks, "sleep 600")
                : Double.NaN;
        plainWithCgroups.stopAll();
        f.shellRootLongSeconds = shellRoot.startAll(tasks, "sleep 600");
        shellRoot.stopAll();

        cpuBefore = agent.cpuSeconds();
        Launched longRunning = agent.launchAndAwait("long", tasks, "sleep 600", TaskState.RUNNING);
        f.agentLongSeconds = longRunning.seconds();
        f.agentLongCpu = agent.cpuSeconds() - cpuBefore;
        f.agentTrees = TreeMemory.ofRunning(agent.pidsOf(longRunning.appId()));
        f.agentWithLongBusy = AgentMemory.now(agent.pid());
        // The JDK waits for each child on a thread of its own: one per running task stays.
        f.agentWithLong = agent.settled(startedThreads + tasks);

        // Stop them all through the agent, and nothing of them may stay on the host
        cpuBefore = agent.cpuSeconds();
        f.killSeconds = agent.killAll(longRunning.taskIds());
        f.killCpu = agent.cpuSeconds() - cpuBefore;
        await("every task cgroup removed").atMost(DEADLINE).until(() -> TaskTraces.taskGroupsLeft(NODE).isEmpty());
        return f;
    }

    /** The agent runs as deploy/local runs it; {@code bench.jvm} adds options (e.g. a JFR recording). */
    private static List<String> agentJvmOptions() {
        List<String> options = new ArrayList<>(AGENT_JVM);
        String extra = System.getProperty("bench.jvm", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return options;
    }

    /** The isolation the node registered with. */
    private static String isolationOf(String bootstrap) {
        return await("the node's registration").atMost(Duration.ofSeconds(30)).until(() -> {
            String found = null;
            for (ConsumerRecord<String, byte[]> record : TopicSnapshot.read(bootstrap, Topics.NODE_STATUS.name())) {
                if (NODE.equals(record.key()) && record.value() != null) {
                    found = JsonCodec.decode(record.value(), NodeReport.class).isolation();
                }
            }
            return Optional.ofNullable(found);
        }, Optional::isPresent).orElseThrow();
    }

    /** If the benchmark failed midway: SIGKILL whatever is left in the node's task cgroups, and remove them. */
    private static void reapTasksLeft() {
        List<Path> groups = TaskTraces.taskGroupsLeft(NODE);
        for (Path group : groups) {
            try {
                for (String line : Files.readAllLines(group.resolve("cgroup.procs"))) {
                    ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | NumberFormatException e) {
                // gone meanwhile
            }
        }
        try {
            await("left tasks reaped").atMost(Duration.ofSeconds(30)).until(() -> {
                for (Path group : TaskTraces.taskGroupsLeft(NODE)) {
                    try {
                        Files.delete(group); // rmdir: refused while a process is still in it
                    } catch (IOException e) {
                        // next round
                    }
                }
                return TaskTraces.taskGroupsLeft(NODE).isEmpty();
            });
        } catch (RuntimeException e) {
            System.out.println("could not remove every task cgroup of " + NODE + ": "
                    + TaskTraces.taskGroupsLeft(NODE));
        }
    }

    /** The tasks launched in one phase: their app, their ids and how long until all reached the state. */
    private record Launched(String appId, List<String> taskIds, double seconds) {
    }

    /** The agent under test, driven over Kafka; what it runs, read from its own API. */
    private record AgentRun(ServiceProcess process, NodeCommands commands, TaskStatusWatch statuses, double cpus) {
        long pid() {
            return process.pid();
        }

        double cpuSeconds() {
            return ProcessMemory.cpuSeconds(process.pid());
        }

        /**
         * The agent's memory after a full GC, once the threads of a burst of launches are gone:
         * launches and kills run on a cached pool whose idle threads live on for 60 s, and their stacks
         * are not what a running task costs. Settled means at most {@code threads} (+10: HTTP and Kafka
         * threads come and go); measured as it is if that does not happen within two minutes.
         */
        AgentMemory settled(long threads) {
            try {
                await("the agent's idle threads expired").atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> ProcessMemory.threads(process.pid()) <= threads + 10);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                System.out.printf("the agent still has %d threads (settled would be ≤ %d)%n",
                        ProcessMemory.threads(process.pid()), threads + 10);
            }
            return AgentMemory.now(process.pid());
        }

        /**
         * Sends {@code count} launches as fast as the producer takes them and returns once every task
         * reported {@code until}; the time is from the first send to the arrival of the last status.
         */
        Launched launchAndAwait(String phase, int count, String cmd, TaskState until) {
            String appId = "/bench/agent-" + phase;
            long run = System.currentTimeMillis();
            List<String> taskIds = IntStream.range(0, count)
                    .mapToObj(i -> String.format("bench_agent-%s.%d-%05d", phase, run, i)).toList();
            TaskSpec spec = new TaskSpec(cmd, List.of(), Map.of(), Map.of(), cpus, 32, 0, List.of());
            long start = System.nanoTime();
            for (String taskId : taskIds) {
                commands.send(LaunchTask.of(NODE, taskId, appId, 1, spec, null));
            }
            commands.flush();
            long last = awaitEvery(taskIds, until);
            return new Launched(appId, taskIds, (last - start) / 1e9);
        }

        /** Kills the tasks (grace 1 s) and returns seconds until every one reported KILLED. */
        double killAll(List<String> taskIds) {
            long start = System.nanoTime();
            for (String taskId : taskIds) {
                commands.send(KillTask.of(NODE, taskId, 1, "benchmark over", null));
            }
            commands.flush();
            return (awaitEvery(taskIds, TaskState.KILLED) - start) / 1e9;
        }

        /** Waits until each task reported the state; returns when (nanoTime) the last of them arrived. */
        private long awaitEvery(List<String> taskIds, TaskState state) {
            Set<String> ids = Set.copyOf(taskIds);
            Map<String, Long> reached = new HashMap<>();
            await(ids.size() + " tasks " + state).atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(() -> {
                reached.clear();
                for (TaskStatusWatch.Seen seen : statuses.matching(s -> ids.contains(s.taskId()))) {
                    TaskStatus status = seen.status();
                    if (status.state() == state) {
                        reached.putIfAbsent(status.taskId(), seen.nanoTime());
                    } else if (status.state().isTerminal()) {
                        throw new AssertionError(status.taskId() + " ended " + status.state() + ": " + status.reason());
                    }
                }
                return reached.size() == ids.size();
            });
            return reached.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        }

        /** The first process (unshare) of each of the app's running tasks, from {@code GET /v1/agent/tasks}. */
        List<Long> pidsOf(String appId) {
            List<Long> pids = new ArrayList<>();
            for (JsonNode task : Http.asService().get(process.url() + "/v1/agent/tasks").json()) {
                if (task.path("appId").asText().equals(appId) && task.path("state").asText().equals("RUNNING")) {
                    pids.add(task.path("pid").asLong());
                }
            }
            return pids;
        }
    }

    /**
     * A baseline: processes started one after another by a loop in this JVM, with {@code ProcessBuilder}
     * as the agent starts them.
     * <ul>
     *   <li>plain: {@code unshare <the agent's namespace flags> -- sh -c <command>}, the baseline;</li>
     *   <li>with cgroups: the agent's own command line (setsid, the shell that joins the task's cgroups,
     *       unshare, the init shell, {@code sh -c <command>}), each task's cgroups created with the
     *       agent's limits before it starts and removed once it has ended. What the kernel and the
     *       helper processes cost without the agent: the agent's own share is the rest. cgroup v1 only.</li>
     *   <li>shell own root: the plain loop's namespaces, in which a shell builds the task's own root as the
     *       agent's helper does (tmpfs, read-only /usr, /etc, /proc, /dev, /tmp, sandbox), pivot_roots
     *       and becomes nobody through setpriv: what a task's own root costs done with the tools, one
     *       process per mount.</li>
     * </ul>
     */
    private static final class PlainLoop {
        /** Which baseline: see the class comment. */
        enum Kind { PLAIN, CGROUPS, SHELL_ROOT }

        private static final File DEV_NULL = new File("/dev/null");
        /**
         * The third baseline: what the agent's helper ({@code berth-confine}) does for a task's own root,
         * done by a shell with mount(8), pivot_root(8) and setpriv(1), inside the plain loop's namespaces.
         * $1 the mount point, $2 the reduced /etc, $3 the sandbox, $4 the command. Debian's merged /usr: the
         * top-level /bin, /lib… are links into it.
         */
        private static final String SHELL_ROOT = "r=$1; e=$2; s=$3; c=$4; "
                + "mount -t tmpfs -o mode=755,size=1m tmpfs \"$r\" && "
                + "mkdir \"$r/usr\" && mount --rbind /usr \"$r/usr\" && mount -o remount,bind,ro \"$r/usr\" && "
                + "ln -s usr/bin \"$r/bin\" && ln -s usr/sbin \"$r/sbin\" && ln -s usr/lib \"$r/lib\" && "
                + "ln -s usr/lib64 \"$r/lib64\" && "
                + "mkdir \"$r/etc\" && mount --bind \"$e\" \"$r/etc\" && mount -o remount,bind,ro \"$r/etc\" && "
                + "mkdir \"$r/proc\" && mount -t proc proc \"$r/proc\" && "
                + "mkdir \"$r/dev\" && mount -t tmpfs -o mode=755,size=64k tmpfs \"$r/dev\" && "
                + "for d in null zero full random urandom tty; do touch \"$r/dev/$d\" && "
                + "mount --bind /dev/$d \"$r/dev/$d\" || exit 125; done && "
                + "mkdir \"$r/dev/pts\" && mount -t devpts -o newinstance,ptmxmode=0666 devpts \"$r/dev/pts\" && "
                + "mkdir \"$r/dev/shm\" && mount -t tmpfs -o mode=1777 shm \"$r/dev/shm\" && "
                + "mkdir \"$r/tmp\" && mount -t tmpfs -o mode=1777 tmpfs \"$r/tmp\" && "
                + "mkdir -p \"$r/mnt/mesos/sandbox\" && mount --bind \"$s\" \"$r/mnt/mesos/sandbox\" && "
                + "mkdir \"$r/.old\" && cd \"$r\" && pivot_root . .old && umount -l /.old && "
                + "cd /mnt/mesos/sandbox && exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs "
                + "--inh-caps=-all --bounding-set=-all /bin/sh -c \"$c\"";
        /** The task cgroups of the second baseline go under this (made-up) node's groups. */
        private static final String NODE = "launch-bench-plain";
        /** The agent's {@code LaunchCommand.JOIN} and {@code INIT}, copied: the baseline runs what the agent runs. */
        private static final String JOIN = "IFS=:; for f in $1; do echo $$ > \"$f\" || exit 125; done; unset IFS; "
                + "shift; exec \"$@\"";
        private static final String INIT = "exit_file=$1; host=$2; ip=$3; shift 3; "
                + "if [ -n \"$host\" ]; then echo \"$host\" > /proc/sys/kernel/hostname; fi; "
                + "if [ -n \"$ip\" ]; then \"$ip\" link set lo up; fi; "
                + "trap 'kill -TERM $child 2>/dev/null' TERM INT HUP; "
                + "\"$@\" & child=$!; "
                + "while :; do wait $child; code=$?; kill -0 $child 2>/dev/null || break; done; "
                + "echo $code > \"$exit_file\"; exit $code";

        private final Kind kind;
        private final boolean cgroups;
        private final double cpus;
        private Path shellRootDirs;
        private final List<Process> processes = new ArrayList<>();
        private final List<String> groups = new ArrayList<>();
        private Path exitFiles;
        private int launched;

        PlainLoop(Kind kind, double cpus) {
            this.kind = kind;
            this.cgroups = kind == Kind.CGROUPS;
            this.cpus = cpus;
        }

        /** The cgroup baseline needs v1 hierarchies (v2 needs controllers enabled down the tree first). */
        boolean available() {
            return !cgroups || !Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        }

        /** Starts {@code count} processes; seconds from the first start to the last one started. */
        double startAll(int count, String cmd) throws IOException {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                processes.add(new ProcessBuilder(commandLine(cmd)).redirectInput(DEV_NULL).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            return (System.nanoTime() - start) / 1e9;
        }

        /**
         * Starts them all, waits for every one to exit and (with cgroups) removes their groups, as the
         * agent does before it reports a task FINISHED; seconds from the first start to the end of that.
         */
        double runToEnd(int count, String cmd) throws IOException, InterruptedException {
            long start = System.nanoTime();
            startAll(count, cmd);
            for (Process process : processes) {
                assertEquals(0, process.waitFor(), "exit code of " + cmd);
            }
            processes.clear();
            removeGroups();
            return (System.nanoTime() - start) / 1e9;
        }

        List<Long> pids() {
            return processes.stream().map(Process::pid).toList();
        }

        /**
         * SIGKILL to every process started and everything under it. Not to the first process alone:
         * {@code unshare --kill-child} asks for its child's death only once that child runs, and an
         * unshare killed a moment earlier leaves the namespace's init orphaned, alive.
         */
        void stopAll() {
            Set<ProcessHandle> trees = new HashSet<>();
            processes.forEach(p -> trees.add(p.toHandle()));
            // One pass over the host's processes: descendants() per process would scan them all each time.
            Map<Long, List<ProcessHandle>> children = new HashMap<>();
            ProcessHandle.allProcesses().forEach(p -> p.parent().ifPresent(parent ->
                    children.computeIfAbsent(parent.pid(), k -> new ArrayList<>()).add(p)));
            List<ProcessHandle> next = new ArrayList<>(trees);
            while (!next.isEmpty()) {
                ProcessHandle process = next.remove(next.size() - 1);
                for (ProcessHandle child : children.getOrDefault(process.pid(), List.of())) {
                    if (trees.add(child)) {
                        next.add(child);
                    }
                }
            }
            trees.forEach(ProcessHandle::destroyForcibly);
            for (Process process : processes) {
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            processes.clear();
            removeGroups();
            if (cgroups) {
                TaskTraces.nodeGroups(NODE).forEach(PlainLoop::rmdir); // the made-up node's own, empty now
            }
            if (exitFiles != null) {
                try (Stream<Path> files = Files.list(exitFiles)) {
                    files.forEach(PlainLoop::rmdir);
                } catch (IOException e) {
                    // a temporary directory: left to the OS
                }
                rmdir(exitFiles);
                exitFiles = null;
            }
        }

        private List<String> commandLine(String cmd) throws IOException {
            List<String> task = List.of("/bin/sh", "-c", cmd);
            List<String> command = new ArrayList<>();
            if (kind == Kind.SHELL_ROOT) {
                Path dirs = shellRootDirs();
                command.add("unshare");
                command.addAll(NAMESPACES);
                command.addAll(List.of("--", "/bin/sh", "-c", SHELL_ROOT, "berth-shell-root",
                        dirs.resolve("root").toString(), dirs.resolve("etc").toString(),
                        dirs.resolve("sandbox").toString(), cmd));
                return command;
            }
            if (!cgroups) {
                command.add("unshare");
                command.addAll(NAMESPACES);
                command.add("--");
                command.addAll(task);
                return command;
            }
            String name = "plain-" + launched++;
            command.addAll(List.of("setsid", "/bin/sh", "-c", JOIN, "berth-join", String.join(":",
                    createGroup(name).stream().map(dir -> dir.resolve("cgroup.procs").toString()).toList())));
            command.add("unshare");
            command.addAll(NAMESPACES);
            command.addAll(List.of("--", "/bin/sh", "-c", INIT, "berth-init", exitFile(name).toString(), name, ""));
            command.addAll(task);
            return command;
        }

        /** The shell-root baseline's mount point, /etc (passwd, group, hosts) and one sandbox all its tasks share. */
        private Path shellRootDirs() throws IOException {
            if (shellRootDirs == null) {
                shellRootDirs = Files.createTempDirectory("shell-root-");
                Files.createDirectories(shellRootDirs.resolve("root"));
                Files.createDirectories(shellRootDirs.resolve("etc"));
                Path sandbox = Files.createDirectories(shellRootDirs.resolve("sandbox"));
                Files.setPosixFilePermissions(sandbox, java.nio.file.attribute.PosixFilePermissions.fromString(
                        "rwxrwxrwx"));
                for (String file : List.of("passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache")) {
                    if (Files.exists(Path.of("/etc", file))) {
                        Files.copy(Path.of("/etc", file), shellRootDirs.resolve("etc").resolve(file));
                    }
                }
            }
            return shellRootDirs;
        }

        /** The task's group in each v1 hierarchy, with the limits the agent sets (mem 32 MiB, the cpus, 1024 pids). */
        private List<Path> createGroup(String name) throws IOException {
            List<Path> dirs = TaskTraces.cgroupDirs(NODE, name); // memory, cpu, cpuacct, pids
            for (Path dir : dirs) {
                Files.createDirectories(dir);
            }
            String memBytes = Long.toString(32L << 20);
            Files.writeString(dirs.get(0).resolve("memory.limit_in_bytes"), memBytes);
            if (Files.exists(dirs.get(0).resolve("memory.memsw.limit_in_bytes"))) {
                Files.writeString(dirs.get(0).resolve("memory.memsw.limit_in_bytes"), memBytes);
            }
            Files.writeString(dirs.get(1).resolve("cpu.shares"), Long.toString(Math.max(2, Math.round(cpus * 1024))));
            Files.writeString(dirs.get(1).resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(dirs.get(1).resolve("cpu.cfs_quota_us"),
                    Long.toString(Math.max(1000, Math.round(cpus * 100_000))));
            Files.writeString(dirs.get(3).resolve("pids.max"), "1024");
            groups.add(name);
            return dirs;
        }

        private Path exitFile(String name) throws IOException {
            if (exitFiles == null) {
                exitFiles = Files.createTempDirectory("plain-exits-");
            }
            return exitFiles.resolve(name + ".exit");
        }

        /**
         * rmdir each group, after SIGKILL to whatever is still in it (as the agent does: the cgroup says
         * what belongs to the task); a group whose last process has only just exited may refuse for a moment.
         */
        private void removeGroups() {
            if (groups.isEmpty()) {
                return;
            }
            await("the plain loop's cgroups removed").atMost(DEADLINE).pollInterval(Duration.ofMillis(10)).until(() -> {
                groups.removeIf(name -> {
                    TaskTraces.processes(NODE, name).forEach(ProcessHandle::destroyForcibly);
                    return TaskTraces.cgroupDirs(NODE, name).stream().allMatch(PlainLoop::rmdir);
                });
                return groups.isEmpty();
            });
        }

        /** Removes a directory (a cgroup: rmdir) or a file; false if it cannot go yet. */
        private static boolean rmdir(Path dir) {
            try {
                Files.deleteIfExists(dir);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    /**
     * The memory of a set of tasks' process trees (first process and all its descendants), once
     * every tree has reached its {@code sleep}, summed and by command name.
     */
    private record TreeMemory(int tasks, int processes, long rssKib, long pssKib,
                              Map<String, long[]> byCommand) {
        static TreeMemory ofRunning(List<Long> roots) {
            await("every task's sleep started").atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> roots.stream().allMatch(root -> tree(root).anyMatch(
                            p -> ProcessMemory.command(p.pid()).equals("sleep"))));
            int processes = 0;
            long rss = 0;
            long pss = 0;
            Map<String, long[]> byCommand = new TreeMap<>();
            for (long root : roots) {
                for (ProcessHandle process : tree(root).toList()) {
                    long processRss = ProcessMemory.rssKib(process.pid());
                    long processPss = ProcessMemory.pssKib(process.pid());
                    processes++;
                    rss += processRss;
                    pss += processPss;
                    long[] sums = byCommand.computeIfAbsent(ProcessMemory.command(process.pid()), c -> new long[3]);
                    sums[0]++;
                    sums[1] += processRss;
                    sums[2] += processPss;
                }
            }
            return new TreeMemory(roots.size(), processes, rss, pss, byCommand);
        }

        private static Stream<ProcessHandle> tree(long root) {
            return ProcessHandle.of(root).map(p -> Stream.concat(Stream.of(p), p.descendants()))
                    .orElse(Stream.empty());
        }

        String describe() {
            StringBuilder text = new StringBuilder(String.format("%d processes, RSS %.1f MiB, PSS %.1f MiB (",
                    processes, rssKib / 1024.0, pssKib / 1024.0));
            List<String> parts = new ArrayList<>();
            byCommand.forEach((command, sums) -> parts.add(String.format("%d × %s: RSS %.0f KiB, PSS %.0f KiB each",
                    sums[0], command, (double) sums[1] / sums[0], (double) sums[2] / sums[0])));
            return text.append(String.join("; ", parts)).append(")").toString();
        }
    }

    /** The agent's resident set and live heap right after a full GC, and its threads. */
    private record AgentMemory(long rssKib, long heapKib, long threads) {
        static AgentMemory now(long pid) {
            long rss = ProcessMemory.rssAfterGcKib(pid);
            return new AgentMemory(rss, ProcessMemory.heapUsedKib(pid), ProcessMemory.threads(pid));
        }

        @Override
        public String toString() {
            return String.format("RSS %.1f MiB, heap %.1f MiB, %d threads", rssKib / 1024.0, heapKib / 1024.0, threads);
        }
    }

    /** What one run measured. */
    private static final class Figures {
        double plainShortSeconds;
        double agentShortSeconds;
        double agentShortCpu;
        double plainLongSeconds;
        double cgroupsShortSeconds;
        double cgroupsLongSeconds;
        double shellRootShortSeconds;
        double shellRootLongSeconds;
        double agentLongSeconds;
        double agentLongCpu;
        double killSeconds;
        double killCpu;
        AgentMemory agentIdle;
        AgentMemory agentAfterShort;
        AgentMemory agentWithLongBusy;
        AgentMemory agentWithLong;
        TreeMemory plainTrees;
        TreeMemory agentTrees;

        private static void row(String what, int tasks, double agent, double plain, double cgroups) {
            System.out.printf("%-24s %8.0f %12.0f %18.0f %14.2f %14.2f%n", what, tasks / agent, tasks / plain,
                    tasks / cgroups, plain / agent, cgroups / agent);
            System.out.printf("%-24s %8.2f %12.2f %18.2f%n", "  seconds", agent, plain, cgroups);
        }

        void print(int tasks, double cpus, String isolation) {
            System.out.printf("%n== node agent launches: %d short-lived (true), %d long-running (sleep 600); "
                    + "cpus %s, mem 32 each; node %s ==%n", tasks, tasks, cpus, isolation);
            System.out.printf("%-24s %8s %12s %18s %14s %14s%n", "launches/s", "agent", "plain loop",
                    "loop with cgroups", "agent ÷ plain", "agent ÷ cgroups");
            row("short-lived", tasks, agentShortSeconds, plainShortSeconds, cgroupsShortSeconds);
            row("long-running", tasks, agentLongSeconds, plainLongSeconds, cgroupsLongSeconds);
            System.out.printf("shell own-root loop (mount, pivot_root, setpriv in sh): short-lived %.0f/s "
                            + "(agent ÷ it %.2f), long-running %.0f/s (agent ÷ it %.2f)%n", tasks / shellRootShortSeconds,
                    shellRootShortSeconds / agentShortSeconds, tasks / shellRootLongSeconds,
                    shellRootLongSeconds / agentLongSeconds);
            System.out.printf("agent CPU: %.1f s for %d short-lived (%.1f ms each), %.1f s for %d long-running "
                    + "(%.1f ms each)%n", agentShortCpu, tasks, agentShortCpu * 1000 / tasks, agentLongCpu, tasks,
                    agentLongCpu * 1000 / tasks);
            System.out.printf("agent after GC, settled: idle %s; after the short-lived %s; with %d running %s%n",
                    agentIdle, agentAfterShort, tasks, agentWithLong);
            System.out.printf("  → per running task: RSS %.0f KiB, heap %.1f KiB; right after the launches: %s%n",
                    (agentWithLong.rssKib() - agentAfterShort.rssKib()) / (double) tasks,
                    (agentWithLong.heapKib() - agentAfterShort.heapKib()) / (double) tasks, agentWithLongBusy);
            System.out.printf("task processes, agent: %s%n", agentTrees.describe());
            System.out.printf("task processes, plain: %s%n", plainTrees.describe());
            System.out.printf("helper processes per task (agent − plain): RSS %.0f KiB, PSS %.0f KiB%n",
                    (agentTrees.rssKib - plainTrees.rssKib) / (double) tasks,
                    (agentTrees.pssKib - plainTrees.pssKib) / (double) tasks);
            System.out.printf("kill of %d running tasks through the agent (grace 1 s): %.2f s, agent CPU %.1f s%n",
                    tasks, killSeconds, killCpu);
        }
    }
}
