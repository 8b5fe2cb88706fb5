package dev.berth.agent;

import dev.berth.agent.runtime.AgentMark;
import dev.berth.agent.runtime.ProcessTree;
import dev.berth.agent.task.TaskView;
import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeRegistered;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.SharedInfra;
import dev.berth.testkit.TestTokens;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AgentOverKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Agent agent;

    @TestHTTPResource("/")
    URL agentHttp;

    private KafkaProbe kafka;
    private String nodeId;

    @BeforeEach
    void setUp() {
        // The agent answers a Berth service identity only (AgentDoorTest is about that).
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .addHeader("Authorization", "Bearer " + TestTokens.service()).build();
        kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
        nodeId = agent.profile().nodeId();
    }

    @AfterEach
    void tearDown() {
        RestAssured.requestSpecification = null;
        kafka.close();
        // Tasks outlive their agent by design: a failed test must not leave its processes behind.
        agent.supervisor().tasks().stream().filter(t -> !t.state().isTerminal() && t.pid() > 0)
                .forEach(t -> ProcessHandle.of(t.pid()).ifPresent(p -> ProcessTree.terminate(p, t.pid(), Duration.ZERO)));
    }

    @Test
    void theAgentRegistersItsNodeAndHeartbeats() {
        NodeRegistered registered = (NodeRegistered) report(kafka.await(Topics.NODE_STATUS.name(), r -> nodeId.equals(r.key())
                && KafkaProbe.text(r).contains("\"NodeRegistered\""), WAIT).value());

        assertEquals(4.0, registered.capacity().cpus());
        assertEquals(4096.0, registered.capacity().mem());
        // The agent adds whether it bridges tasks (the test profile turns bridging off).
        assertEquals(Map.of("zone", "test", "bridge", "false"), registered.attributes());
        assertEquals(new PortRange(33000, 33099), registered.ports());
        // What the host allows: cgroups-v1 on the build machines (root, hybrid hierarchy), best-effort elsewhere.
        assertTrue(Set.of("best-effort", "cgroups-v1", "cgroups-v2").contains(registered.isolation()),
                registered.isolation());
        assertEquals("http://127.0.0.1:" + agentHttp.getPort(), registered.agentUrl(), "the port it really listens on");
        // Tasks run as nobody by default, the only user allowed; an own root where the agent is root.
        String user = agent.runtime().hostIsolation().setpriv().isPresent() ? "nobody"
                : System.getProperty("user.name");
        assertEquals(user, registered.confinement().defaultUser());
        assertEquals(List.of(user), registered.confinement().allowedUsers());
        assertEquals(agent.runtime().ownRoot(), registered.confinement().ownRoot());
        kafka.await(Topics.NODE_STATUS.name(), r -> nodeId.equals(r.key()) && KafkaProbe.text(r).contains("\"NodeHeartbeat\""),
                WAIT);
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'node-agent' }.data.readingCommands", equalTo(true));
    }

    @Test
    void theNodesReportsCarryItsVolumeProvidersAndLeaseAndAcknowledgedOnesRenewTheLease() {
        NodeReport beat = report(kafka.await(Topics.NODE_STATUS.name(), r -> nodeId.equals(r.key())
                && KafkaProbe.text(r).contains("\"NodeHeartbeat\""), WAIT).value());

        assertEquals(4000, beat.volumes().leaseMillis(), "the default lease");
        // Providers only where tasks get mount namespaces (root with unshare on the build machines)
        List<String> expected = agent.runtime().hostIsolation().mountNamespaces() ? List.of("local", "sharedfs")
                : List.of();
        assertEquals(expected, beat.volumes().providers());
        await().atMost(WAIT).until(() -> agent.lease().valid());
        long end = agent.lease().recorded();
        await().atMost(WAIT).until(() -> agent.lease().recorded() > end);
    }

    @Test
    void aDestroyVolumeRemovesTheLocalVolumesDirectory() throws Exception {
        Path volume = Path.of("target/agent-work/volumes/agent-test.db-0.data").toAbsolutePath();
        Files.createDirectories(volume);
        Files.writeString(volume.resolve("data"), "x");

        send(dev.berth.contracts.messages.DestroyVolume.of(nodeId, "agent-test.db-0.data", null));

        await().atMost(WAIT).until(() -> !Files.exists(volume));
    }

    @Test
    void aLaunchedTaskRunsWithBerthAndMarathonEnvironmentAndItsOutputInTheSandbox() throws Exception {
        // Given a task that writes its environment to a file and stays up
        String taskId = taskId();

        // When it is launched
        send(launch(taskId, "env > env.txt; echo hello from the task; exec sleep 600",
                List.of(new PortAssignment("http", 33010), new PortAssignment(null, 33011))));

        // Then it is reported RUNNING, sees its ports and ids, and writes into its sandbox
        awaitStatus(taskId, TaskState.RUNNING);
        Path sandbox = Path.of(view(taskId).sandbox());
        await().atMost(WAIT).until(() -> Files.exists(sandbox.resolve("env.txt"))
                && Files.readString(sandbox.resolve("stdout")).contains("hello from the task"));
        String env = Files.readString(sandbox.resolve("env.txt"));
        // In its own root (where the node gives one, as here as root) the task sees its sandbox at Mesos's path.
        String inside = ownRoot() ? "/mnt/mesos/sandbox" : sandbox.toString();
        for (String line : List.of("PORT0=33010", "PORT1=33011", "PORT=33010", "PORTS=33010,33011",
                "PORT_HTTP=33010", "HOST=127.0.0.1", "BERTH_TASK_ID=" + taskId, "MESOS_TASK_ID=" + taskId,
                "MARATHON_APP_ID=/agent-test", "BERTH_APP_ID=/agent-test", "MESOS_SANDBOX=" + inside,
                "BERTH_SANDBOX=" + inside, "APP_VAR=x", AgentMark.VARIABLE + "=" + mark().valueFor(taskId))) {
            assertTrue(env.lines().anyMatch(line::equals), line + " missing from\n" + env);
        }
        assertTrue(env.lines().noneMatch(l -> l.startsWith("KAFKA_") || l.startsWith("BERTH_AGENT_")), env);
        assertEquals(sandbox.getParent(), Path.of("target/agent-work/sandboxes").toAbsolutePath());
        // And heartbeats and the agent's own listing show it
        kafka.await(Topics.NODE_STATUS.name(), r -> nodeId.equals(r.key()) && r.value() != null
                && report(r.value()) instanceof NodeHeartbeat beat && beat.runningTaskIds().contains(taskId), WAIT);
        given().get("/v1/agent/tasks").then().statusCode(200)
                .body("find { it.taskId == '" + taskId + "' }.state", equalTo("RUNNING"))
                .body("find { it.taskId == '" + taskId + "' }.pid", greaterThan(0))
                .body("find { it.taskId == '" + taskId + "' }.appId", equalTo("/agent-test"))
                .body("find { it.taskId == '" + taskId + "' }.sandbox", equalTo(sandbox.toString()));

        send(KillTask.of(nodeId, taskId, 1, "test over", null));
        awaitStatus(taskId, TaskState.KILLED);
    }

    @Test
    void aKillLeavesNoProcessOfTheTaskBehindNotEvenAGrandchildThatIgnoresSigterm() {
        // Given a running task with a child shell and a grandchild that both ignore SIGTERM
        String taskId = taskId();
        send(launch(taskId, "sh -c 'trap \"\" TERM; sleep 1000' & exec sleep 600", List.of()));
        awaitStatus(taskId, TaskState.RUNNING);
        ProcessHandle task = ProcessHandle.of(view(taskId).pid()).orElseThrow();
        await().atMost(WAIT).until(() -> task.descendants().count() >= 2);
        List<ProcessHandle> tree = ProcessTree.members(task).stream().toList();

        // When it is killed with a one-second grace period
        send(KillTask.of(nodeId, taskId, 1, "test", null));

        // Then it is reported KILLED, and nothing of it runs any more
        TaskStatus killed = awaitStatus(taskId, TaskState.KILLED);
        assertEquals("killed on request", killed.reason());
        assertTrue(tree.stream().noneMatch(ProcessTree::isRunning), "survivors: " + tree);
        assertEquals(TaskState.KILLED, view(taskId).state());
    }

    @Test
    void aProcessWithTheAgentsMarkThatNoLiveTaskOwnsIsKilledByTheNextSweepAndShownAsAStray() throws Exception {
        // Given a running task, a process carrying this agent's mark for a task that has ended (as one that
        // escaped its task's end would), and one carrying another agent's mark
        String live = taskId();
        send(launch(live, "exec sleep 600", List.of()));
        awaitStatus(live, TaskState.RUNNING);
        Process stray = sleeping(mark().valueFor("agent-test.ended"));
        Process theirs = sleeping(new AgentMark("another-agent-0123456789ab").valueFor("agent-test.ended"));

        // When the agent's periodic sweep runs (every second in the test profile)
        await().atMost(WAIT).until(() -> !stray.isAlive());

        // Then the stray is killed and shown on the agent's strays, while the task and the other agent's process run on
        given().get("/v1/agent/strays").then().statusCode(200)
                .body("recent.find { it.pid == " + stray.pid() + " }.taskId", equalTo("agent-test.ended"))
                .body("recent.find { it.pid == " + stray.pid() + " }.foundBy", equalTo("mark"))
                .body("straysKilled", greaterThan(0));
        long sweeps = agent.sweep().report().sweeps();
        await().atMost(WAIT).until(() -> agent.sweep().report().sweeps() > sweeps + 1);
        assertTrue(theirs.isAlive(), "another agent's process is not this agent's to kill");
        theirs.destroyForcibly();
        assertEquals(TaskState.RUNNING, view(live).state());
        assertTrue(ProcessHandle.of(view(live).pid()).isPresent(), "the live task runs on");
        send(KillTask.of(nodeId, live, 1, "test over", null));
        awaitStatus(live, TaskState.KILLED);
    }

    private static Process sleeping(String markValue) throws java.io.IOException {
        ProcessBuilder builder = new ProcessBuilder("sleep", "600");
        builder.environment().put(AgentMark.VARIABLE, markValue);
        return builder.start();
    }

    private AgentMark mark() throws java.io.IOException {
        return AgentMark.in(Path.of("target/agent-work"), nodeId); // the agent wrote it there at start
    }

    @Test
    void aTaskThatExitsReportsItsCode() {
        String failing = taskId();
        String finishing = taskId();
        send(launch(failing, "exit 3", List.of()));
        send(launch(finishing, "true", List.of()));

        TaskStatus failed = awaitStatus(failing, TaskState.FAILED);
        assertEquals(3, failed.exitCode());
        assertEquals("exited with code 3", failed.reason());
        assertEquals(0, awaitStatus(finishing, TaskState.FINISHED).exitCode());
    }

    @Test
    void aProgramThatCannotStartFailsWithTheReason() {
        String taskId = taskId();
        send(new LaunchTask(UUID.randomUUID().toString(), 1, java.time.Instant.now(), null, nodeId, taskId,
                "/agent-test", 1, new TaskSpec(null, List.of("/no/such/program"), Map.of(), Map.of(), 0.1, 16, 0,
                List.of())));

        assertTrue(awaitStatus(taskId, TaskState.FAILED).reason().contains("/no/such/program"));
    }

    @Test
    void aLaunchDeliveredTwiceStartsOneProcess() {
        String taskId = taskId();
        LaunchTask launch = launch(taskId, "echo once >> runs.txt; exec sleep 600", List.of());
        send(launch);
        send(LaunchTask.of(nodeId, taskId, "/agent-test", 1, launch.spec(), null)); // same task, new command id
        send(launch);                                                              // the very same command

        awaitStatus(taskId, TaskState.RUNNING);
        Path runs = Path.of(view(taskId).sandbox()).resolve("runs.txt");
        await().atMost(WAIT).until(() -> Files.exists(runs));
        assertEquals(1, agent.supervisor().tasks().stream().filter(t -> t.taskId().equals(taskId)).count());
        send(KillTask.of(nodeId, taskId, 1, "test over", null));
        awaitStatus(taskId, TaskState.KILLED);
        await().atMost(WAIT).until(() -> Files.readAllLines(runs).size() == 1);
    }

    @Test
    void aKillForAnUnknownTaskIsAnsweredKilled() {
        String taskId = taskId();
        send(KillTask.of(nodeId, taskId, 1, "stray", null));

        assertEquals("unknown to agent", awaitStatus(taskId, TaskState.KILLED).reason());
    }

    /** As a Prometheus scraper reads it: without the service token the other requests here carry. */
    private double deadLettersFromNodeCommands() throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(agentHttp.toURI().resolve("/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        String text = answer.body();
        double value = PrometheusText.value(text, "berth_dead_letters_total", "topic", Topics.NODE_COMMANDS.name());
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aMalformedCommandIsDeadLetteredWithItsReasonAndTheNextCommandStillRuns() throws Exception {
        double deadLettersBefore = deadLettersFromNodeCommands();
        // Given bytes that are no command, keyed by this node on its partition, then a valid launch
        sendRaw(NodePartitions.partitionFor(nodeId, commandPartitions()), nodeId, "{not json");
        String taskId = taskId();
        send(launch(taskId, "true", List.of()));

        // Then the bytes are kept on the dead-letter topic with where they came from and why
        var dead = kafka.await(Topics.DEAD_LETTER.name(), r -> nodeId.equals(r.key()), WAIT);
        assertEquals("{not json", KafkaProbe.text(dead));
        assertEquals("node-agent:" + nodeId, KafkaProbe.header(dead, DeadLetters.CONSUMER));
        assertEquals(Topics.NODE_COMMANDS.name(), KafkaProbe.header(dead, DeadLetters.SOURCE_TOPIC));
        assertTrue(KafkaProbe.header(dead, DeadLetters.REASON).contains("NodeCommand"));
        // ... and counted, by the topic they came from, for a scraper without a token
        await().atMost(WAIT).until(() -> deadLettersFromNodeCommands() >= deadLettersBefore + 1);
        // And the agent carried on
        awaitStatus(taskId, TaskState.FINISHED);
    }

    @Test
    void commandsForAnotherNodeAreIgnored() {
        // Given a node that shares this node's command partition, and commands for it
        int partitions = commandPartitions();
        String neighbour = IntStream.range(0, 10_000).mapToObj(i -> "neighbour-" + i)
                .filter(n -> NodePartitions.partitionFor(n, partitions) == NodePartitions.partitionFor(nodeId, partitions))
                .findFirst().orElseThrow();
        String theirs = taskId();
        String misaddressed = taskId();
        kafka.send(Topics.NODE_COMMANDS.name(), neighbour, JsonCodec.encodeBytes(LaunchTask.of(neighbour, theirs,
                "/agent-test", 1, new TaskSpec("true", null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null)));
        kafka.send(Topics.NODE_COMMANDS.name(), neighbour, "{not json for the neighbour");
        kafka.send(Topics.NODE_COMMANDS.name(), nodeId, JsonCodec.encodeBytes(LaunchTask.of(neighbour, misaddressed,
                "/agent-test", 1, new TaskSpec("true", null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null)));

        // When a command for this node follows them
        String marker = taskId();
        send(launch(marker, "true", List.of()));

        // Then only that one ran, and the neighbour's unreadable record was left to the neighbour
        awaitStatus(marker, TaskState.FINISHED);
        assertTrue(agent.supervisor().tasks().stream().noneMatch(t -> t.taskId().equals(theirs)
                || t.taskId().equals(misaddressed)));
        assertThrows(AssertionError.class, () -> kafka.await(Topics.DEAD_LETTER.name(),
                r -> neighbour.equals(r.key()), Duration.ofMillis(500)));
    }

    private int commandPartitions() {
        try (var producer = rawProducer()) {
            return producer.partitionsFor(Topics.NODE_COMMANDS.name()).size();
        }
    }

    private void sendRaw(int partition, String key, String value) throws Exception {
        try (var producer = rawProducer()) {
            producer.send(new ProducerRecord<>(Topics.NODE_COMMANDS.name(), partition, key, value)).get();
        }
    }

    private static KafkaProducer<String, String> rawProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private String taskId() {
        return "agent-test." + UUID.randomUUID();
    }

    private LaunchTask launch(String taskId, String cmd, List<PortAssignment> ports) {
        return LaunchTask.of(nodeId, taskId, "/agent-test", 1,
                new TaskSpec(cmd, null, Map.of("APP_VAR", "x"), Map.of(), 0.1, 16, 0, ports), null);
    }

    private void send(dev.berth.contracts.messages.NodeCommand command) {
        kafka.send(Topics.NODE_COMMANDS.name(), command.nodeId(), JsonCodec.encodeBytes(command));
    }

    private TaskStatus awaitStatus(String taskId, TaskState state) {
        return JsonCodec.decode(kafka.await(Topics.TASK_STATUS.name(), r -> taskId.equals(r.key())
                && JsonCodec.decode(r.value(), TaskStatus.class).state() == state, WAIT).value(), TaskStatus.class);
    }

    private TaskView view(String taskId) {
        return agent.supervisor().tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
    }

    private boolean ownRoot() {
        return agent.runtime().ownRoot();
    }

    private static NodeReport report(byte[] value) {
        return JsonCodec.decode(value, NodeReport.class);
    }
}
