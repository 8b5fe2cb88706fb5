package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeRegistered;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.testkit.KafkaProbe;
import dev.berth.testkit.KafkaTestResource;
import dev.berth.testkit.PrometheusText;
import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class SchedulerOverKafkaTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private KafkaProbe kafka;
    private String nodeId;

    @BeforeEach
    void registerANode() {
        kafka = new KafkaProbe(SharedInfra.kafka().bootstrapServers());
        nodeId = "node-" + UUID.randomUUID();
        kafka.send(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(new NodeRegistered(UUID.randomUUID().toString(), 1,
                Instant.now(), null, nodeId, "host-" + nodeId, "127.0.0.1", new NodeResources(64, 65536, 100000),
                new PortRange(31000, 31999), Map.of("zone", "a"), "best-effort", "http://127.0.0.1:1", List.of())));
    }

    @AfterEach
    void close() {
        kafka.close();
    }

    @Test
    void aCreatedAppIsRecordedPlacedAndLaunchedThenDeletedOnceItsTaskIsKilled() {
        // Given an app submitted as the gateway would
        String appId = "/sched-" + UUID.randomUUID().toString().substring(0, 8) + "/web";
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));

        // Then its desired state, a STAGING task and a launch for a node appear
        AppState state = JsonCodec.decode(kafka.await(Topics.APPS.name(), r -> appId.equals(r.key()), WAIT).value(),
                AppState.class);
        assertEquals(1, state.version());
        LaunchTask launch = (LaunchTask) awaitCommand(appId, LaunchTask.class);
        TaskRecord staged = taskRecord(launch.taskId(), TaskState.STAGING);
        assertEquals(launch.nodeId(), staged.nodeId());
        assertEquals("sleep 1000", launch.spec().cmd());

        // When the agent reports it RUNNING, the task record follows
        kafka.send(Topics.TASK_STATUS.name(), launch.taskId(), JsonCodec.encodeBytes(TaskStatus.of(launch.taskId(), appId,
                launch.nodeId(), TaskState.RUNNING, null, null, null)));
        taskRecord(launch.taskId(), TaskState.RUNNING);

        // When the app is deleted, its task is killed; once KILLED, task and app are tombstoned
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(DeleteApp.of(appId)));
        KillTask kill = (KillTask) awaitCommand(appId, KillTask.class);
        assertEquals(launch.taskId(), kill.taskId());
        kafka.send(Topics.TASK_STATUS.name(), launch.taskId(), JsonCodec.encodeBytes(TaskStatus.of(launch.taskId(), appId,
                launch.nodeId(), TaskState.KILLED, "killed", 143, null)));
        assertNull(kafka.await(Topics.TASKS.name(), r -> launch.taskId().equals(r.key()) && r.value() == null, WAIT).value());
        assertNull(kafka.await(Topics.APPS.name(), r -> appId.equals(r.key()) && r.value() == null, WAIT).value());
    }

    @Test
    void theAppsCreationAndItsTasksStatesArePublishedOnTheEventStreamKeyedBySubject() {
        // Given an app submitted as the gateway would
        String team = "ev-" + UUID.randomUUID().toString().substring(0, 8);
        String appId = "/" + team + "/web";
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));

        // Then a committed app.created is on berth.events (the probe reads committed records only)
        CloudEvent created = event("apps" + appId, EventTypes.APP_CREATED);
        assertEquals("/berth/scheduler", created.source());
        assertEquals(team, created.team());
        assertEquals(1, created.data().get("version").asLong());
        LaunchTask launch = (LaunchTask) awaitCommand(appId, LaunchTask.class);
        assertEquals("STAGING", event("tasks/" + launch.taskId(), EventTypes.TASK_STATE).data().get("state").asText());

        // When the agent reports it RUNNING, that is published too, about the task
        kafka.send(Topics.TASK_STATUS.name(), launch.taskId(), JsonCodec.encodeBytes(TaskStatus.of(launch.taskId(), appId,
                launch.nodeId(), TaskState.RUNNING, null, null, null)));
        CloudEvent running = JsonCodec.decode(kafka.await(Topics.EVENTS.name(), r -> ("tasks/" + launch.taskId()).equals(r.key())
                && "RUNNING".equals(JsonCodec.decode(r.value(), CloudEvent.class).data().path("state").asText()),
                WAIT).value(), CloudEvent.class);
        assertEquals("STAGING", running.data().get("previousState").asText());
        assertEquals(launch.nodeId(), running.data().get("nodeId").asText());
        assertEquals(team, running.team());
    }

    @Test
    void aCreateIsAnsweredAcceptedWithItsVersionRecordedAndASecondCreateOfTheSameIdIsAConflict() {
        // Given a create sent as the gateway would
        String appId = "/reply-" + UUID.randomUUID().toString().substring(0, 8) + "/web";
        CreateApp first = CreateApp.of(app(appId));
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(first));

        // Then its committed reply, keyed by the command's id, says accepted at version 1
        CommandReply accepted = reply(first.id());
        assertEquals(CommandReply.Outcome.ACCEPTED, accepted.outcome());
        assertEquals(1, accepted.appVersion());
        assertEquals(appId, accepted.appId());
        assertEquals(first.id(), accepted.correlationId());

        // And version 1 of its definition is on berth.app-versions under appId@1
        AppVersion version = JsonCodec.decode(kafka.await(Topics.APP_VERSIONS.name(),
                r -> (appId + "@1").equals(r.key()) && r.value() != null, WAIT).value(), AppVersion.class);
        assertEquals(AppVersion.CREATED, version.change());
        assertEquals(1, version.version());
        assertEquals(app(appId), version.definition());

        // When a second create of the same id arrives
        CreateApp second = CreateApp.of(app(appId));
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(second));

        // Then it is answered as a conflict, with the reason
        CommandReply conflict = reply(second.id());
        assertEquals(CommandReply.Outcome.CONFLICT, conflict.outcome());
        assertEquals("an app " + appId + " already exists; delete it first or pick another id", conflict.reason());
        assertEquals(1, conflict.appVersion());
    }

    @Test
    void anUpdateOfTheCommandIsRecordedAsARunningDeploymentAndAnnouncedAsStarted() {
        // Given a running app
        String team = "dep-" + UUID.randomUUID().toString().substring(0, 8);
        String appId = "/" + team + "/web";
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));
        LaunchTask launch = (LaunchTask) awaitCommand(appId, LaunchTask.class);
        kafka.send(Topics.TASK_STATUS.name(), launch.taskId(), JsonCodec.encodeBytes(TaskStatus.of(launch.taskId(), appId,
                launch.nodeId(), TaskState.RUNNING, null, null, null)));
        taskRecord(launch.taskId(), TaskState.RUNNING);

        // When its command changes (an update that replaces its tasks)
        AppDefinition changed = ((ParsedApp.Valid) AppDefinitionParser.parse("{\"id\": \"" + appId
                + "\", \"cmd\": \"sleep 2000\", \"cpus\": 0.1, \"mem\": 32}")).app();
        UpdateApp update = UpdateApp.of(changed, null);
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(update));

        // Then a deployment from version 1 to 2 is on berth.deployments, keyed by its id, and announced
        assertEquals(CommandReply.Outcome.ACCEPTED, reply(update.id()).outcome());
        ConsumerRecord<String, byte[]> record = kafka.await(Topics.DEPLOYMENTS.name(), r -> r.value() != null
                && appId.equals(JsonCodec.decode(r.value(), Deployment.class).appId()), WAIT);
        Deployment deployment = JsonCodec.decode(record.value(), Deployment.class);
        assertEquals(deployment.deploymentId(), record.key());
        assertEquals(1, deployment.fromVersion());
        assertEquals(2, deployment.toVersion());
        assertEquals(Deployment.CAUSE_UPDATE, deployment.cause());
        assertEquals("sleep 2000", deployment.to().cmd());
        CloudEvent started = event("deployments/" + deployment.deploymentId(), EventTypes.DEPLOYMENT_STARTED);
        assertEquals(team, started.team());
        assertEquals(appId, started.data().get("appId").asText());
    }

    @Test
    void aMalformedCommandIsDeadLetteredAndTheNextOneIsStillProcessed() {
        String appId = "/poison-" + UUID.randomUUID().toString().substring(0, 8);

        kafka.send(Topics.APP_COMMANDS.name(), appId, "{this is not json");
        kafka.send(Topics.TASK_STATUS.name(), "no-such-task", "[1,2,3]");
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));

        ConsumerRecord<String, byte[]> dead = kafka.await(Topics.DEAD_LETTER.name(),
                r -> appId.equals(r.key()) && "scheduler".equals(KafkaProbe.header(r, DeadLetters.CONSUMER)), WAIT);
        assertEquals("{this is not json", KafkaProbe.text(dead));
        assertEquals(Topics.APP_COMMANDS.name(), KafkaProbe.header(dead, DeadLetters.SOURCE_TOPIC));
        kafka.await(Topics.DEAD_LETTER.name(), r -> "no-such-task".equals(r.key()), WAIT);
        awaitCommand(appId, LaunchTask.class);
    }

    @Test
    void theActiveSchedulersMetricsCountTheAppsTasksByStateAndTeamAndItsPlacementWithoutAToken() {
        // Given an app of a team of its own, placed and reported RUNNING by its agent
        String team = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        String appId = "/" + team + "/web";
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));
        LaunchTask launch = (LaunchTask) awaitCommand(appId, LaunchTask.class);
        kafka.send(Topics.TASK_STATUS.name(), launch.taskId(), JsonCodec.encodeBytes(TaskStatus.of(launch.taskId(), appId,
                launch.nodeId(), TaskState.RUNNING, null, null, null)));

        // Then a scrape without a token shows it counted, by state and team, and this scheduler as leader
        await().atMost(WAIT).untilAsserted(() -> {
            String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertEquals(1.0, PrometheusText.value(text, "berth_tasks", "state", "RUNNING", "team", team), text);
            assertEquals(1.0, PrometheusText.value(text, "berth_apps", "status", "RUNNING", "team", team));
            assertEquals(1.0, PrometheusText.value(text, "berth_placements_total", "team", team));
            assertEquals(1.0, PrometheusText.value(text, "berth_scheduler_leader"));
            // This test's node, READY or (no heartbeat comes) UNREACHABLE by now
            assertTrue(text.contains("berth_nodes{availability="), text);
            assertTrue(PrometheusText.value(text, "berth_placement_seconds_count") >= 1);
            assertTrue(PrometheusText.value(text, "berth_scheduler_transaction_seconds_count") >= 1);
            assertTrue(PrometheusText.value(text, "berth_scheduler_rebuild_seconds_count") >= 1);
            // The session consumer's own metrics, lag among them
            assertFalse(Double.isNaN(PrometheusText.value(text, "kafka_consumer_fetch_manager_records_lag_max")));
            // No label carries an id
            assertFalse(text.contains(launch.taskId()));
            assertFalse(text.contains(appId));
        });
    }

    @Test
    void aDeadLetteredCommandIsCountedByItsSourceTopic() {
        // Given the count of dead letters from app commands so far
        double before = deadLettersFrom(Topics.APP_COMMANDS.name());

        // When a command nobody can read arrives, followed by one that can be read
        String appId = "/poison-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.send(Topics.APP_COMMANDS.name(), appId, "{not json either");
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(app(appId))));
        awaitCommand(appId, LaunchTask.class);

        // Then the counter of its topic grew by (at least: other tests dead-letter too) one
        await().atMost(WAIT).until(() -> deadLettersFrom(Topics.APP_COMMANDS.name()) >= before + 1);
    }

    private static double deadLettersFrom(String topic) {
        double value = PrometheusText.value(given().get("/q/metrics").then().statusCode(200).extract().asString(),
                "berth_dead_letters_total", "topic", topic);
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void aStatefulAppsVolumeIsAttachedFirstAndItsTaskLaunchedWithTheMountOnceTheVolumeServiceSaysAttached() {
        // Given a node that serves local volumes, and a stateful app submitted as the gateway would
        String volumeNode = "node-vol-" + UUID.randomUUID();
        kafka.send(Topics.NODE_STATUS.name(), volumeNode, JsonCodec.encodeBytes(new NodeRegistered(
                UUID.randomUUID().toString(), 1, Instant.now(), null, volumeNode, "host-" + volumeNode, "127.0.0.1",
                new NodeResources(64, 65536, 100000), new PortRange(31000, 31999), Map.of(), "cgroups-v2",
                "http://127.0.0.1:1", List.of(), Map.of(), new NodeVolumes(List.of("local"), 3000))));
        String appId = "/sched-" + UUID.randomUUID().toString().substring(0, 8) + "/db";
        AppDefinition def = app(appId).withVolumes(List.of(
                new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null)));
        kafka.send(Topics.APP_COMMANDS.name(), appId, JsonCodec.encodeBytes(CreateApp.of(def)));

        // Then the scheduler asks the volume service to attach identity db-0's volume on that node
        String volumeId = appId.substring(1).replace('/', '_') + ".db-0.data";
        AttachVolume attach = (AttachVolume) JsonCodec.decode(kafka.await(Topics.VOLUME_COMMANDS.name(),
                r -> volumeId.equals(r.key()) && JsonCodec.decode(r.value(), VolumeCommand.class) instanceof AttachVolume,
                WAIT).value(), VolumeCommand.class);
        assertEquals(volumeNode, attach.nodeId());
        assertEquals("db-0", attach.identity());
        assertEquals("db-0", taskRecord(attach.taskId(), TaskState.STAGING).identity());

        // When the volume service (played by the test) announces it attached
        VolumeSnapshot attached = new VolumeSnapshot(volumeId, attach.name(), appId, "db-0", attach.type(),
                attach.provider(), attach.sizeMib(), volumeNode, VolumeState.ATTACHED, volumeNode, attach.taskId(), 1, 1,
                Instant.now());
        kafka.send(Topics.VOLUME_EVENTS.name(), volumeId, JsonCodec.encodeBytes(VolumeEvent.of(VolumeEvent.Kind.ATTACHED,
                attached, attach.taskId(), null, attach.id())));

        // Then the task is launched on that node with the volume mounted at its epoch
        LaunchTask launch = (LaunchTask) awaitCommand(appId, LaunchTask.class);
        assertEquals(attach.taskId(), launch.taskId());
        assertEquals(volumeNode, launch.nodeId());
        VolumeMount mount = launch.spec().volumes().get(0);
        assertEquals(volumeId, mount.volumeId());
        assertEquals("data", mount.containerPath());
        assertEquals(1, mount.fencingEpoch());
    }

    private NodeCommand awaitCommand(String appId, Class<? extends NodeCommand> type) {
        ConsumerRecord<String, byte[]> record = kafka.await(Topics.NODE_COMMANDS.name(), r -> {
            NodeCommand c = JsonCodec.decode(r.value(), NodeCommand.class);
            return type.isInstance(c) && c.taskId() != null
                    && c.taskId().startsWith(appId.substring(1).replace('/', '_') + ".");
        }, WAIT);
        // Tracing is off here (no BERTH_OTLP_ENDPOINT): no span is made, so no record carries a trace.
        assertNull(KafkaProbe.header(record, RecordTracing.TRACEPARENT), "a trace context with tracing off");
        return JsonCodec.decode(record.value(), NodeCommand.class);
    }

    /** The committed reply to the command (the probe reads committed records only). */
    private CommandReply reply(String commandId) {
        return JsonCodec.decode(kafka.await(Topics.COMMAND_REPLIES.name(), r -> commandId.equals(r.key()), WAIT).value(),
                CommandReply.class);
    }

    /** The event of that type on berth.events whose key is {@code subject}. */
    private CloudEvent event(String subject, String type) {
        CloudEvent event = JsonCodec.decode(kafka.await(Topics.EVENTS.name(), r -> subject.equals(r.key())
                && type.equals(JsonCodec.decode(r.value(), CloudEvent.class).type()), WAIT).value(), CloudEvent.class);
        assertEquals(subject, event.subject());
        return event;
    }

    private TaskRecord taskRecord(String taskId, TaskState state) {
        return JsonCodec.decode(kafka.await(Topics.TASKS.name(), r -> taskId.equals(r.key()) && r.value() != null
                && JsonCodec.decode(r.value(), TaskRecord.class).state() == state, WAIT).value(), TaskRecord.class);
    }

    private static AppDefinition app(String id) {
        ParsedApp parsed = AppDefinitionParser.parse("{\"id\": \"" + id + "\", \"cmd\": \"sleep 1000\", "
                + "\"cpus\": 0.1, \"mem\": 32, \"portDefinitions\": [{\"port\": 0, \"name\": \"http\"}]}");
        return ((ParsedApp.Valid) parsed).app();
    }
}
