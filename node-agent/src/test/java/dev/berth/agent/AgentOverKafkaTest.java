package dev.berth.agent;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.PortAssignment;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class AgentOverKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    Agent agent;

    private KafkaProbe kafka;
    private String nodeId;

    @BeforeEach
    void setUp() {
        kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
        nodeId = agent.profile().nodeId();
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void theAgentRegistersItsNodeAndHeartbeats() {
        NodeReport registered = report(kafka.await(Topics.NODE_STATUS, r -> nodeId.equals(r.key())
                && KafkaProbe.text(r).contains("\"NodeRegistered\""), WAIT).value());
        assertEquals(4.0, registered.capacity().cpus());
        assertEquals(Map.of("zone", "test"), registered.attributes());
        assertEquals(33000, registered.ports().begin());
        kafka.await(Topics.NODE_STATUS, r -> nodeId.equals(r.key()) && KafkaProbe.text(r).contains("\"NodeHeartbeat\""),
                WAIT);
    }

    @Test
    void aLaunchedTaskRunsWithBerthAndMarathonEnvironmentAndItsOutputInTheSandbox() throws Exception {
        String taskId = taskId();
        send(launch(taskId, "env > env.txt; echo hello from the task; exec sleep 600",
                List.of(new PortAssignment("http", 33010), new PortAssignment(null, 33011))));

        awaitStatus(taskId, TaskState.RUNNING);
        Path sandbox = Path.of(agent.supervisor().tasks().stream().filter(t -> t.taskId().equals(taskId))
                .findFirst().orElseThrow().sandbox());
        await().atMost(WAIT).until(() -> Files.exists(sandbox.resolve("env.txt"))
                && Files.readString(sandbox.resolve("stdout")).contains("hello from the task"));
        String env = Files.readString(sandbox.resolve("env.txt"));
        for (String line : List.of("PORT0=33010", "PORT1=33011", "PORT=33010", "PORTS=33010,33011",
                "PORT_HTTP=33010", "HOST=127.0.0.1", "BERTH_TASK_ID=" + taskId, "MESOS_TASK_ID=" + taskId,
                "MARATHON_APP_ID=/agent-test", "BERTH_APP_ID=/agent-test", "MESOS_SANDBOX=" + sandbox)) {
            assertTrue(env.lines().anyMatch(line::equals), line + " missing from\n" + env);
        }
        assertTrue(agent.supervisor().runningTaskIds().contains(taskId));

        send(KillTask.of(nodeId, taskId, 1, "test over", null));
        awaitStatus(taskId, TaskState.KILLED);
    }

    @Test
    void aKillLeavesNoProcessOfTheTaskBehindNotEvenAGrandchildThatIgnoresSigterm() {
        String taskId = taskId();
        send(launch(taskId, "sh -c 'trap \"\" TERM; while true; do sleep 1; done' & exec sleep 600", List.of()));
        awaitStatus(taskId, TaskState.RUNNING);
        long pid = pidOf(taskId);
        await().atMost(WAIT).until(() -> ProcessHandle.of(pid).orElseThrow().descendants().count() >= 1);
        List<ProcessHandle> tree = ProcessHandle.of(pid).orElseThrow().descendants().toList();

        send(KillTask.of(nodeId, taskId, 1, "test", null));

        TaskStatus killed = awaitStatus(taskId, TaskState.KILLED);
        assertEquals("killed on request", killed.reason());
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the task itself is gone");
        assertTrue(tree.stream().noneMatch(ProcessHandle::isAlive), "no descendant survives");
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
        Path runs = Path.of(agent.supervisor().tasks().stream().filter(t -> t.taskId().equals(taskId))
                .findFirst().orElseThrow().sandbox()).resolve("runs.txt");
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

    @Test
    void aMalformedCommandIsDeadLetteredAndTheNextCommandStillRuns() throws Exception {
        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfra.kafka().bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            int partition = NodePartitions.partitionFor(nodeId, producer.partitionsFor(Topics.NODE_COMMANDS).size());
            producer.send(new ProducerRecord<>(Topics.NODE_COMMANDS, partition, nodeId, "{not json")).get();
        }
        String taskId = taskId();
        send(launch(taskId, "true", List.of()));

        var dead = kafka.await(Topics.DEAD_LETTER, r -> nodeId.equals(r.key()), WAIT);
        assertEquals("{not json", KafkaProbe.text(dead));
        assertEquals("node-agent:" + nodeId, KafkaProbe.header(dead, DeadLetters.CONSUMER));
        assertTrue(KafkaProbe.header(dead, DeadLetters.REASON).contains("NodeCommand"));
        awaitStatus(taskId, TaskState.FINISHED);
    }

    @Test
    void commandsForAnotherNodeAreIgnored() {
        String taskId = taskId();
        LaunchTask foreign = LaunchTask.of("some-other-node", taskId, "/agent-test", 1,
                new TaskSpec("true", null, Map.of(), Map.of(), 0.1, 16, 0, List.of()), null);
        kafka.send(Topics.NODE_COMMANDS, nodeId, JsonCodec.encodeBytes(foreign)); // even on our key
        String marker = taskId();
        send(launch(marker, "true", List.of()));

        awaitStatus(marker, TaskState.FINISHED);
        assertTrue(agent.supervisor().tasks().stream().noneMatch(t -> t.taskId().equals(taskId)));
    }

    private String taskId() {
        return "agent-test." + UUID.randomUUID();
    }

    private LaunchTask launch(String taskId, String cmd, List<PortAssignment> ports) {
        return LaunchTask.of(nodeId, taskId, "/agent-test", 1,
                new TaskSpec(cmd, null, Map.of("APP_VAR", "x"), Map.of(), 0.1, 16, 0, ports), null);
    }

    private void send(dev.berth.contracts.messages.NodeCommand command) {
        kafka.send(Topics.NODE_COMMANDS, command.nodeId(), JsonCodec.encodeBytes(command));
    }

    private TaskStatus awaitStatus(String taskId, TaskState state) {
        return JsonCodec.decode(kafka.await(Topics.TASK_STATUS, r -> taskId.equals(r.key())
                && JsonCodec.decode(r.value(), TaskStatus.class).state() == state, WAIT).value(), TaskStatus.class);
    }

    private long pidOf(String taskId) {
        return agent.supervisor().tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow().pid();
    }

    private static NodeReport report(byte[] value) {
        return JsonCodec.decode(value, NodeReport.class);
    }
}
