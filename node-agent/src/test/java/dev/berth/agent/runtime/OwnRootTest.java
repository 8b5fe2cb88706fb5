package dev.berth.agent.runtime;

import dev.berth.agent.isolation.OwnRoot;
import dev.berth.agent.isolation.TaskConfinement;
import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.agent.volumes.LocalDriver;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.testkit.Directories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tasks in a root of their own ({@link OwnRoot}, the native helper), as the agent runs them by default:
 * over the host's real namespaces, mounts and users. Each test asserts what the task itself printed from
 * inside. Skipped, saying why, where the host does not let the agent build a root (no root, no namespaces).
 */
class OwnRootTest {
    private static HostIsolation host;

    private final Path workDir = Directories.scratch("own-root-");
    private final Sandboxes sandboxes = Sandboxes.under(workDir);
    private final List<TaskRuntime.RunningProcess> started = new ArrayList<>();
    private ProcessRuntime runtime;
    private OwnRoot root;

    @BeforeAll
    static void probeTheHost() {
        host = HostIsolation.detect("auto", Path.of("/sys/fs/cgroup"), "berth-test/own-root-"
                + ProcessHandle.current().pid());
    }

    @AfterAll
    static void removeTheTestsCgroups() throws IOException {
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path hierarchy : hierarchies.toList()) {
                Files.deleteIfExists(hierarchy.resolve("berth-test/own-root-" + ProcessHandle.current().pid()));
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("OwnRootTest: left empty test cgroups behind: " + e);
        }
    }

    @BeforeEach
    void buildTheNodesPart() {
        root = OwnRoots.probedOrSkip(host, workDir);
        runtime = runtime(TaskConfinement.Users.of("nobody", Optional.of("nobody,daemon,root")));
    }

    private ProcessRuntime runtime(TaskConfinement.Users users) {
        TaskVolumes volumes = TaskVolumes.of(new LocalDriver(workDir.resolve("volumes")), Optional.empty(), null);
        return new ProcessRuntime("127.0.0.1", host, 1024, volumes,
                new TaskConfinement(Optional.of(root), "probed", Optional.of(users)));
    }

    @AfterEach
    void stopWhatRuns() {
        started.forEach(p -> p.stop(Duration.ZERO));
        Directories.deleteQuietly(workDir);
    }

    @Test
    void aTaskRunsAsNobodyInItsSandboxWithOnlyTheSystemDirectoriesAroundIt() throws Exception {
        List<String> out = run("app.world-1", "id -u; pwd; echo $HOME; ls /; cat /etc/hosts | grep -c world-1");

        assertEquals("65534", out.get(0), "nobody, by default");
        assertEquals("/mnt/mesos/sandbox", out.get(1));
        assertEquals("/mnt/mesos/sandbox", out.get(2));
        assertEquals(List.of("bin", "dev", "etc", "lib", "lib64", "mnt", "proc", "sbin", "tmp", "usr"),
                out.subList(3, out.size() - 1).stream().filter(name -> !name.startsWith("lib") || name.equals("lib")
                        || name.equals("lib64")).toList());
        assertEquals("1", out.get(out.size() - 1), "its hostname is in its own /etc/hosts");
    }

    @Test
    void aTaskSeesNoSecretsNoAgentFilesAndNoOtherSandbox() throws Exception {
        Sandbox other = sandboxes.of("app.other-1");
        other.create();
        Files.writeString(other.dir().resolve("secret"), "team-a's data");
        String otherPath = other.dir().toAbsolutePath().toString();

        List<String> out = run("app.nosy-1", "for p in /etc/shadow /etc/gshadow " + otherPath + " "
                + workDir.toAbsolutePath() + " /root /work /proc/1/root/etc/shadow; do "
                + "if cat $p >/dev/null 2>&1 || ls $p >/dev/null 2>&1; then echo \"read $p\"; else echo \"no $p\"; fi;"
                + " done");

        assertEquals(List.of("no /etc/shadow", "no /etc/gshadow", "no " + otherPath, "no " + workDir.toAbsolutePath(),
                "no /root", "no /work", "no /proc/1/root/etc/shadow"), out);
    }

    @Test
    void aTaskWritesOnlyToItsSandboxItsTmpAndItsVolumes() throws Exception {
        List<String> out = run("app.writer-1", "for p in /x /usr/x /etc/x /bin/x /dev/x /mnt/x /proc/x "
                + "/mnt/mesos/sandbox/x /tmp/x /dev/shm/x; do "
                + "if echo w > $p 2>/dev/null; then echo \"wrote $p\"; else echo \"no $p\"; fi; done");

        assertEquals(List.of("no /x", "no /usr/x", "no /etc/x", "no /bin/x", "no /dev/x", "no /mnt/x", "no /proc/x",
                "wrote /mnt/mesos/sandbox/x", "wrote /tmp/x", "wrote /dev/shm/x"), out);
    }

    @Test
    void aTaskHasNoCapabilitiesAndCannotGainAny() throws Exception {
        List<String> out = run("app.caps-1", "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "
                + "/proc/self/status | tr -s '\\t' ' '; "
                + "if mount -t tmpfs none /tmp 2>/dev/null; then echo mounted; else echo 'no mount'; fi; "
                + "if hostname evil 2>/dev/null; then echo renamed; else echo 'no hostname'; fi; "
                + "if unshare -Ur true 2>/dev/null; then echo 'user namespace'; else echo 'no user namespace'; fi; "
                + "if su -c true root </dev/null 2>/dev/null; then echo 'became root'; else echo 'no su'; fi");

        assertEquals(List.of("CapInh: 0000000000000000", "CapPrm: 0000000000000000", "CapEff: 0000000000000000",
                "CapBnd: 0000000000000000", "CapAmb: 0000000000000000", "NoNewPrivs: 1", "no mount", "no hostname",
                "no user namespace", "no su"),
                out);
    }

    @Test
    void aTaskAllowedToRunAsRootKeepsOnlyDockersDefaultCapabilities() throws Exception {
        List<String> out = run("app.root-1", spec("id -u; grep -E '^(CapEff|CapBnd)' /proc/self/status | "
                + "tr -s '\\t' ' '; if echo w > /usr/x 2>/dev/null; then echo wrote; else echo 'no /usr'; fi", "root"));

        assertEquals(List.of("0", "CapEff: 00000000a80425fb", "CapBnd: 00000000a80425fb", "no /usr"), out);
    }

    @Test
    void aUserTheNodeDoesNotAllowIsRefusedAndNothingStarts() {
        ProcessRuntime strict = runtime(TaskConfinement.Users.of("nobody", Optional.empty()));
        Sandbox sandbox = sandboxes.of("app.refused-1");

        TaskRuntime.LaunchFailedException refused = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> strict.start(sandbox.taskId(), "/app", spec("id", "root"), sandbox));

        assertEquals("user 'root' is not allowed on this node (berth.agent.allowed-users: nobody)",
                refused.getMessage());
        assertFalse(Files.exists(sandbox.dir()), "nothing was made for it");
    }

    @Test
    void anAppThatRequiresItsOwnRootIsRefusedWhereTheNodeCannotGiveOne() {
        TaskVolumes volumes = TaskVolumes.of(new LocalDriver(workDir.resolve("volumes")), Optional.empty(), null);
        ProcessRuntime hostRoot = new ProcessRuntime("127.0.0.1", host, 1024, volumes,
                new TaskConfinement(Optional.empty(), "berth.agent.filesystem=host",
                        Optional.of(TaskConfinement.Users.of("nobody", Optional.empty()))));
        Sandbox sandbox = sandboxes.of("app.required-1");
        TaskSpec spec = new TaskSpec("id", null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), null, List.of(),
                new Isolation(Isolation.Network.HOST, null, false, Isolation.Filesystem.REQUIRED));

        TaskRuntime.LaunchFailedException refused = assertThrows(TaskRuntime.LaunchFailedException.class,
                () -> hostRoot.start(sandbox.taskId(), "/app", spec, sandbox));

        assertEquals("the app requires its own root file system, and this node cannot give one "
                + "(berth.agent.filesystem=host)", refused.getMessage());
    }

    @Test
    void volumesAreMountedAtTheirPathsInsideTheRootAndBelongToTheTasksUser() throws Exception {
        Sandbox sandbox = sandboxes.of("app.db-1");
        VolumeMount data = new VolumeMount("db-data", VolumeType.LOCAL, "local", "data", false, 64, 0);
        VolumeMount absolute = new VolumeMount("db-conf", VolumeType.LOCAL, "local", "/var/lib/berth-test-db", true,
                64, 0);
        Files.createDirectories(workDir.resolve("volumes/db-conf"));
        Files.writeString(workDir.resolve("volumes/db-conf/conf"), "max_connections=10\n");
        TaskSpec spec = new TaskSpec("echo row >> data/rows && cat data/rows && cat /var/lib/berth-test-db/conf && "
                + "if echo x > /var/lib/berth-test-db/x 2>/dev/null; then echo wrote; else echo 'read-only'; fi",
                null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), null, List.of(), Isolation.DEFAULT,
                List.of(data, absolute));

        List<String> out = run(sandbox, spec);

        assertEquals(List.of("row", "max_connections=10", "read-only"), out);
        assertFalse(Files.exists(Path.of("/var/lib/berth-test-db")), "the absolute path exists only in the root");
        assertEquals(65534, Files.getAttribute(workDir.resolve("volumes/db-data"), "unix:uid"));
        assertEquals(65534, Files.getAttribute(workDir.resolve("volumes/db-data/rows"), "unix:uid"));
    }

    @Test
    void aCommandNextToTheTaskRunsInItsRootAsItsUser() throws Exception {
        Sandbox sandbox = sandboxes.of("app.checked-1");
        TaskRuntime.RunningProcess task = start(sandbox, spec("echo ready > ready; exec sleep 600", null));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(sandbox.dir().resolve("ready")));

        List<String> out = runNextTo(task, "id -u; pwd; cat ready; test -e " + workDir.toAbsolutePath()
                + " && echo 'sees the host' || echo 'in its root'; grep NoNewPrivs /proc/self/status | tr -s '\\t' ' '");

        assertEquals(List.of("65534", "/mnt/mesos/sandbox", "ready", "in its root", "NoNewPrivs: 1"), out);
    }

    @Test
    void anAdoptedTaskIsCheckedInItsRootToo() throws Exception {
        Sandbox sandbox = sandboxes.of("app.adopted-1");
        TaskSpec spec = spec("exec sleep 600", null);
        TaskRuntime.RunningProcess task = start(sandbox, spec);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                ProcessTree.childInOtherMountNamespace(ProcessTree.firstChild(task.pid())) != 0);

        TaskRuntime.RunningProcess adopted = runtime(TaskConfinement.Users.of("nobody", Optional.empty()))
                .adopt(spec, sandbox, task.stamp());
        started.add(adopted);

        assertEquals(List.of("65534", "/mnt/mesos/sandbox"), runNextTo(adopted, "id -u; pwd"));
    }

    private List<String> run(String name, String cmd) throws Exception {
        return run(sandboxes.of(name), spec(cmd, null));
    }

    private List<String> run(String name, TaskSpec spec) throws Exception {
        return run(sandboxes.of(name), spec);
    }

    /** Runs the task to its end and returns what it printed; its stderr is shown when it did not exit 0. */
    private List<String> run(Sandbox sandbox, TaskSpec spec) throws Exception {
        TaskRuntime.RunningProcess task = start(sandbox, spec);
        int code = task.exit().get(30, TimeUnit.SECONDS);
        assertEquals(0, code, () -> "exit " + code + ", stderr: " + read(sandbox.stderr()) + " "
                + task.endReason().orElse(""));
        return Files.readAllLines(sandbox.stdout());
    }

    private List<String> runNextTo(TaskRuntime.RunningProcess task, String cmd) throws Exception {
        Process check = new ProcessBuilder(task.commandNextTo(cmd)).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));
        return out.lines().toList();
    }

    private TaskRuntime.RunningProcess start(Sandbox sandbox, TaskSpec spec) throws Exception {
        TaskRuntime.RunningProcess process = runtime.start(sandbox.taskId(), "/app", spec, sandbox);
        started.add(process);
        return process;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static TaskSpec spec(String cmd, String user) {
        return new TaskSpec(cmd, null, Map.of(), Map.of(), 0.1, 32, 0, List.of(), user, List.of(), Isolation.DEFAULT);
    }
}
