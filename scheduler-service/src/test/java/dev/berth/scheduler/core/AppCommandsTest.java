package dev.berth.scheduler.core;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.KillSelection;
import dev.berth.contracts.app.PersistentVolume;
import dev.berth.contracts.app.PlacementStrategy;
import dev.berth.contracts.app.PortDefinition;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.CommandReply.Outcome;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.NodeVolumes;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.ReplaceInstance;
import dev.berth.contracts.messages.RestartApp;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.UpdateApp;
import dev.berth.contracts.messages.VolumeMount;
import dev.berth.scheduler.placement.PlacementEngine;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every app command is answered once, with the rules of {@link AppCommands}; and each app's version history. */
class AppCommandsTest {
    private static final String WEB = "/team/web";
    private static final String DB = "/team/db";
    private static final AppVolume LOCAL = new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 64), null);

    private final Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
    private final SchedulerCore core = new SchedulerCore(SchedulerSettings.defaults(),
            new PlacementEngine(PlacementStrategy.SPREAD));
    private final VolumeServiceDouble service = new VolumeServiceDouble();

    // ---- create, not found, deleting ------------------------------------------------------------------

    @Test
    void aCreateIsAcceptedAsVersionOneAfterTheActionsThatCarryItOut() {
        core.onNodeReport(node("node-1"), t0);

        List<Action> actions = core.onAppCommand(CreateApp.of(web(2)), t0);

        CommandReply reply = onlyReply(actions);
        assertEquals(Outcome.ACCEPTED, reply.outcome());
        assertEquals(1, reply.appVersion());
        assertEquals(WEB, reply.appId());
        assertTrue(actions.get(actions.size() - 1) instanceof Action.Reply, "the reply comes last");
        assertEquals(List.of(new Version(1, AppVersion.CREATED)), versions(actions));
    }

    @Test
    void aSecondCreateOfAnExistingAppIsAConflictAndChangesNothing() {
        // Given a running app
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);

        // When another create of the same id arrives
        List<Action> actions = core.onAppCommand(CreateApp.of(web(3)), t0);

        // Then it is refused as a conflict, and only the reply is written
        CommandReply reply = onlyReply(actions);
        assertEquals(Outcome.CONFLICT, reply.outcome());
        assertEquals("an app /team/web already exists; delete it first or pick another id", reply.reason());
        assertEquals(1, actions.size());
        assertEquals(1, core.app(WEB).orElseThrow().definition().instances());
    }

    @Test
    void aCreateOfAnAppBeingDeletedIsAConflictThatSaysToWait() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        core.onAppCommand(DeleteApp.of(WEB), t0);

        CommandReply reply = onlyReply(core.onAppCommand(CreateApp.of(web(1)), t0));

        assertEquals(Outcome.CONFLICT, reply.outcome());
        assertEquals("an app /team/web is being deleted; try again once it is gone", reply.reason());
    }

    @Test
    void aRedeliveredCreateIsAcceptedAgainWithoutAnyChange() {
        core.onNodeReport(node("node-1"), t0);
        CreateApp create = CreateApp.of(web(1));
        core.onAppCommand(create, t0);

        List<Action> again = core.onAppCommand(create, t0);

        assertEquals(1, again.size());
        assertEquals(Outcome.ACCEPTED, onlyReply(again).outcome());
        assertEquals(1, onlyReply(again).appVersion());
    }

    @Test
    void everyOtherCommandOnAnUnknownAppIsNotFound() {
        List<AppCommand> commands = List.of(ScaleApp.of(WEB, 2), RestartApp.of(WEB), DeleteApp.of(WEB),
                UpdateApp.of(web(2), null), KillAppTask.of(WEB, "team_web.x", false),
                ReplaceInstance.of(WEB, "web-0", null));

        for (AppCommand command : commands) {
            List<Action> actions = core.onAppCommand(command, t0);

            CommandReply reply = onlyReply(actions);
            assertEquals(Outcome.NOT_FOUND, reply.outcome(), command.toString());
            assertEquals("no app /team/web", reply.reason());
            assertEquals(0, reply.appVersion());
            assertEquals(command.id(), reply.commandId());
            assertEquals(1, actions.size());
        }
    }

    @Test
    void aCommandOnAnAppBeingDeletedIsAConflict() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        core.onAppCommand(DeleteApp.of(WEB), t0);

        CommandReply reply = onlyReply(core.onAppCommand(ScaleApp.of(WEB, 3), t0));

        assertEquals(Outcome.CONFLICT, reply.outcome());
        assertEquals("the app /team/web is being deleted", reply.reason());
        assertEquals(2, reply.appVersion());
    }

    // ---- scale, restart, delete, replace ------------------------------------------------------------

    @Test
    void aScaleToTheSameCountIsAcceptedAtTheCurrentVersionWithoutANewOne() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(2)), t0);

        List<Action> actions = core.onAppCommand(ScaleApp.of(WEB, 2), t0);

        assertEquals(Outcome.ACCEPTED, onlyReply(actions).outcome());
        assertEquals(1, onlyReply(actions).appVersion());
        assertTrue(versions(actions).isEmpty());
        assertTrue(actions.stream().noneMatch(a -> a instanceof Action.RecordApp));
    }

    @Test
    void scaleRestartAndDeleteAreAcceptedWithTheVersionTheyMade() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);

        List<Action> scaled = core.onAppCommand(ScaleApp.of(WEB, 2), t0);
        List<Action> restarted = core.onAppCommand(RestartApp.of(WEB), t0);
        List<Action> deleted = core.onAppCommand(DeleteApp.of(WEB), t0);

        assertEquals(2, onlyReply(scaled).appVersion());
        assertEquals(List.of(new Version(2, AppVersion.SCALED)), versions(scaled));
        assertEquals(3, onlyReply(restarted).appVersion());
        assertEquals(List.of(new Version(3, AppVersion.RESTARTED)), versions(restarted));
        assertEquals(Outcome.ACCEPTED, onlyReply(deleted).outcome());
        assertEquals(4, onlyReply(deleted).appVersion());
        assertTrue(versions(deleted).isEmpty(), "the deletion is no version of the definition");
    }

    @Test
    void replacingAnIdentityOfAStatelessAppIsInvalid() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);

        CommandReply reply = onlyReply(core.onAppCommand(ReplaceInstance.of(WEB, "web-0", "disk gone"), t0));

        assertEquals(Outcome.INVALID, reply.outcome());
        assertTrue(reply.reason().contains("no persistent volumes"), reply.reason());
    }

    @Test
    void replacingAnIdentityTheAppDoesNotHaveIsInvalidAndAnExistingOneIsAcceptedAsReplaced() {
        core.onNodeReport(statefulNode("node-1"), t0);
        runAll(DB, settle(core.onAppCommand(CreateApp.of(db(2)), t0)));

        CommandReply missing = onlyReply(core.onAppCommand(ReplaceInstance.of(DB, "db-5", null), t0));
        List<Action> replaced = core.onAppCommand(ReplaceInstance.of(DB, "db-1", null), t0);

        assertEquals(Outcome.INVALID, missing.outcome());
        assertEquals("the app /team/db has no identity db-5; its identities are db-0 to db-1", missing.reason());
        assertEquals(Outcome.ACCEPTED, onlyReply(replaced).outcome());
        assertEquals(2, onlyReply(replaced).appVersion());
        assertEquals(List.of(new Version(2, AppVersion.REPLACED)), versions(replaced));
    }

    // ---- update -------------------------------------------------------------------------------------

    @Test
    void anUpdateExpectingAnotherVersionIsAConflictThatSaysWhichVersionItIs() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        core.onAppCommand(ScaleApp.of(WEB, 2), t0);

        List<Action> actions = core.onAppCommand(UpdateApp.of(web(3), 1L), t0);

        CommandReply reply = onlyReply(actions);
        assertEquals(Outcome.CONFLICT, reply.outcome());
        assertEquals("the app /team/web is at version 2, not 1; read it again and retry", reply.reason());
        assertEquals(2, reply.appVersion());
        assertEquals(1, actions.size());
    }

    @Test
    void anUpdateToTheSameDefinitionIsAcceptedAtTheCurrentVersionWithoutANewOne() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(2)), t0);

        List<Action> actions = core.onAppCommand(UpdateApp.of(web(2), 1L), t0);

        assertEquals(Outcome.ACCEPTED, onlyReply(actions).outcome());
        assertEquals(1, onlyReply(actions).appVersion());
        assertEquals(1, actions.size());
    }

    @Test
    void anUpdateOfOnlyTheInstanceCountKeepsEveryTaskAndAddsTheNewOnes() {
        // Given two running tasks
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(2)), t0);
        Set<String> before = running(WEB);

        // When the definition is updated with three instances and nothing else changed
        List<Action> actions = core.onAppCommand(UpdateApp.of(web(3), 1L), t0);

        // Then one task is added, none stopped, and the version is an update
        assertEquals(2, onlyReply(actions).appVersion());
        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertTrue(commands(actions, KillTask.class).isEmpty());
        assertTrue(running(WEB).containsAll(before));
        assertEquals(1, core.app(WEB).orElseThrow().configVersion());
        assertEquals(List.of(new Version(2, AppVersion.UPDATED)), versions(actions));
    }

    @Test
    void anUpdateOfTheCommandReplacesEveryTaskNewOneFirst() {
        // Given two running tasks
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(2)), t0);
        List<TaskRecord> old = core.tasksOf(WEB);
        old.forEach(t -> core.onTaskStatus(status(t, TaskState.RUNNING), t0));

        // When the command changes
        AppDefinition changed = AppDefinition.basic(WEB, "sleep 200", null, 2, 1, 64, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
        List<Action> actions = core.onAppCommand(UpdateApp.of(changed, null), t0);

        // Then a replacement with the new command starts beside each old task, as in a restart
        List<LaunchTask> launches = commands(actions, LaunchTask.class);
        assertEquals(2, launches.size());
        assertTrue(launches.stream().allMatch(l -> l.spec().cmd().equals("sleep 200") && l.appVersion() == 2));
        assertEquals(Set.of(old.get(0).taskId(), old.get(1).taskId()), core.tasksOf(WEB).stream()
                .map(TaskRecord::replaces).filter(r -> r != null).collect(Collectors.toSet()));
        assertEquals(2, core.app(WEB).orElseThrow().configVersion());
        assertEquals(List.of(new Version(2, AppVersion.UPDATED)), versions(actions));
        assertEquals(List.of("updated"), actions.stream().filter(a -> a instanceof Action.Announce an
                        && an.event().type().equals(EventTypes.APP_UPDATED))
                .map(a -> ((Action.Announce) a).event().data().get("change").asText()).toList());

        // And once a replacement runs, its original is stopped
        TaskRecord fresh = core.tasksOf(WEB).stream().filter(t -> t.replaces() != null).findFirst().orElseThrow();
        List<KillTask> kills = commands(core.onTaskStatus(status(fresh, TaskState.RUNNING), t0), KillTask.class);
        assertEquals(List.of(fresh.replaces()), kills.stream().map(KillTask::taskId).toList());
    }

    @Test
    void anUpdateOfAStatefulAppsCommandRestartsOneIdentityAtATimeOnItsOwnVolumes() {
        core.onNodeReport(statefulNode("node-1"), t0);
        runAll(DB, settle(core.onAppCommand(CreateApp.of(db(2)), t0)));

        List<Action> actions = core.onAppCommand(UpdateApp.of(AppDefinition.basic(DB, "run --new", null, 2, 0.1, 16, 0,
                Map.of(), Map.of(), List.of()).withVolumes(List.of(LOCAL)), null), t0);

        assertEquals(Outcome.ACCEPTED, onlyReply(actions).outcome());
        List<KillTask> kills = commands(actions, KillTask.class);
        assertEquals(1, kills.size());
        TaskRecord stopped = task(kills.get(0).taskId());
        assertEquals("db-0", stopped.identity());
        List<Action> ended = settle(core.onTaskStatus(status(stopped, TaskState.KILLED), t0));
        LaunchTask relaunch = commands(ended, LaunchTask.class).get(0);
        assertEquals("run --new", relaunch.spec().cmd());
        assertEquals(List.of("team_db.db-0.data"), relaunch.spec().volumes().stream().map(VolumeMount::volumeId)
                .toList());
    }

    @Test
    void anUpdateThatChangesAStatefulAppsVolumesIsInvalidAndChangesNothing() {
        core.onNodeReport(statefulNode("node-1"), t0);
        runAll(DB, settle(core.onAppCommand(CreateApp.of(db(1)), t0)));
        AppVolume bigger = new AppVolume("data", VolumeMode.RW, new PersistentVolume("root", 128), null);

        List<Action> actions = core.onAppCommand(UpdateApp.of(db(1).withVolumes(List.of(bigger)), null), t0);

        CommandReply reply = onlyReply(actions);
        assertEquals(Outcome.INVALID, reply.outcome());
        assertTrue(reply.reason().contains("volumes of /team/db cannot change in an update"), reply.reason());
        assertEquals(1, actions.size());
        assertEquals(LOCAL, core.app(DB).orElseThrow().definition().volumes().get(0));
    }

    // ---- an operator's kill ---------------------------------------------------------------------------

    @Test
    void aKilledTaskIsReplacedAtOnceAndItsEndIsNoFailure() {
        // Given one running task
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        TaskRecord victim = core.tasksOf(WEB).get(0);
        core.onTaskStatus(status(victim, TaskState.RUNNING), t0);

        // When an operator kills it
        List<Action> actions = core.onAppCommand(KillAppTask.of(WEB, victim.taskId(), false), t0);

        // Then it is killed with the operator's reason and its instance placed again at once
        KillTask kill = commands(actions, KillTask.class).get(0);
        assertEquals(victim.taskId(), kill.taskId());
        assertEquals("killed by an operator through the API", kill.reason());
        assertEquals(1, commands(actions, LaunchTask.class).size());
        assertEquals(Outcome.ACCEPTED, onlyReply(actions).outcome());
        assertEquals(1, onlyReply(actions).appVersion());
        assertTrue(versions(actions).isEmpty());

        // And its end starts no backoff and launches nothing more
        List<Action> ended = core.onTaskStatus(status(task(victim.taskId()), TaskState.KILLED), t0);
        assertTrue(commands(ended, LaunchTask.class).isEmpty());
        assertTrue(core.queued(WEB).isEmpty(), "no backoff");
        assertEquals(1, core.tasksOf(WEB).size());
        // A further failure waits only the first delay: the kill was not counted.
        TaskRecord replacement = core.tasksOf(WEB).get(0);
        List<Action> failed = core.onTaskStatus(status(replacement, TaskState.FAILED), t0);
        assertEquals(t0.plusSeconds(1), core.queued(WEB).orElseThrow().delayedUntil(), failed.toString());
    }

    @Test
    void aKillOfATaskThatIsNotRunningInThatAppIsNotFound() {
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        core.onAppCommand(CreateApp.of(app("/team/other", 1)), t0);
        TaskRecord other = core.tasksOf("/team/other").get(0);
        TaskRecord mine = core.tasksOf(WEB).get(0);
        core.onAppCommand(KillAppTask.of(WEB, mine.taskId(), false), t0);

        CommandReply unknown = onlyReply(core.onAppCommand(KillAppTask.of(WEB, "team_web.nope", false), t0));
        CommandReply foreign = onlyReply(core.onAppCommand(KillAppTask.of(WEB, other.taskId(), false), t0));
        CommandReply stopping = onlyReply(core.onAppCommand(KillAppTask.of(WEB, mine.taskId(), true), t0));

        assertEquals(Outcome.NOT_FOUND, unknown.outcome());
        assertEquals("no running task team_web.nope in /team/web", unknown.reason());
        assertEquals(Outcome.NOT_FOUND, foreign.outcome());
        assertEquals(Outcome.NOT_FOUND, stopping.outcome());
        assertEquals(DesiredState.RUN, task(other.taskId()).desired());
    }

    @Test
    void aKillWithScaleDownStopsExactlyThatTaskAndLowersTheInstanceCount() {
        // Given three tasks, launched one after another, of an app that scales down youngest first
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        core.onAppCommand(ScaleApp.of(WEB, 2), t0.plusSeconds(1));
        core.onAppCommand(ScaleApp.of(WEB, 3), t0.plusSeconds(2));
        TaskRecord oldest = core.tasksOf(WEB).stream().filter(t -> t.launchedAt().equals(t0)).findFirst()
                .orElseThrow();

        // When the oldest is killed with scale-down
        List<Action> actions = core.onAppCommand(KillAppTask.of(WEB, oldest.taskId(), true), t0.plusSeconds(3));

        // Then exactly it is stopped (not the youngest the kill selection would pick), nothing replaces it
        assertEquals(List.of(oldest.taskId()), commands(actions, KillTask.class).stream().map(KillTask::taskId)
                .toList());
        assertTrue(commands(actions, LaunchTask.class).isEmpty());
        assertEquals(2, core.app(WEB).orElseThrow().definition().instances());
        assertEquals(2, core.tasksOf(WEB).stream().filter(t -> t.desired() == DesiredState.RUN).count());
        assertEquals(4, onlyReply(actions).appVersion());
        assertEquals(List.of(new Version(4, AppVersion.SCALED)), versions(actions));
    }

    @Test
    void aStatefulKillWithScaleDownOfOtherThanTheHighestIdentityIsInvalid() {
        core.onNodeReport(statefulNode("node-1"), t0);
        runAll(DB, settle(core.onAppCommand(CreateApp.of(db(3)), t0)));

        List<Action> middle = core.onAppCommand(KillAppTask.of(DB, byIdentity("db-1").taskId(), true), t0);
        List<Action> highest = core.onAppCommand(KillAppTask.of(DB, byIdentity("db-2").taskId(), true), t0);

        assertEquals(Outcome.INVALID, onlyReply(middle).outcome());
        assertEquals("scale-down removes the highest identity, db-2; kill that one, or scale with PATCH",
                onlyReply(middle).reason());
        assertEquals(1, middle.size());
        assertEquals(Outcome.ACCEPTED, onlyReply(highest).outcome());
        assertEquals(2, core.app(DB).orElseThrow().definition().instances());
        assertEquals(List.of("db-2"), commands(highest, KillTask.class).stream()
                .map(k -> task(k.taskId()).identity()).toList());
    }

    @Test
    void aKilledStatefulTaskComesBackWithItsIdentityOnItsVolumesNodeWithoutBackoff() {
        // Given a stateful identity running on node-1, where its local volume lives, and an empty node-2
        core.onNodeReport(statefulNode("node-1"), t0);
        runAll(DB, settle(core.onAppCommand(CreateApp.of(db(1)), t0)));
        core.onNodeReport(statefulNode("node-2"), t0);
        TaskRecord first = byIdentity("db-0");

        // When an operator kills it, and it ends
        List<Action> killed = core.onAppCommand(KillAppTask.of(DB, first.taskId(), false), t0);
        assertEquals(first.taskId(), commands(killed, KillTask.class).get(0).taskId());
        List<Action> ended = settle(core.onTaskStatus(status(first, TaskState.KILLED), t0));

        // Then the identity is launched again at once on node-1, on the same volume
        LaunchTask relaunch = commands(ended, LaunchTask.class).get(0);
        assertEquals("node-1", relaunch.nodeId());
        assertEquals("db-0", task(relaunch.taskId()).identity());
        assertEquals(List.of("team_db.db-0.data"), relaunch.spec().volumes().stream().map(VolumeMount::volumeId)
                .toList());
        assertTrue(core.queued(DB).isEmpty(), "no backoff");
    }

    // ---- versions -------------------------------------------------------------------------------------

    @Test
    void everyNewVersionIsWrittenAndOnlyTheLatestFiftyAreKept() {
        // Given an app at version 50
        core.onNodeReport(node("node-1"), t0);
        List<Action> all = new ArrayList<>(core.onAppCommand(CreateApp.of(web(1)), t0));
        for (int i = 2; i <= 50; i++) {
            all.addAll(core.onAppCommand(ScaleApp.of(WEB, 2 - i % 2), t0));
        }
        assertEquals(LongStream.rangeClosed(1, 50).boxed().toList(),
                versions(all).stream().map(Version::version).toList());
        assertTrue(all.stream().noneMatch(a -> a instanceof Action.RemoveVersion));

        // When it reaches versions 51 and 52
        List<Action> v51 = core.onAppCommand(RestartApp.of(WEB), t0);
        List<Action> v52 = core.onAppCommand(ScaleApp.of(WEB, 3), t0);

        // Then each writes its own version and tombstones the one that falls out of the latest fifty
        assertEquals(List.of(new Version(51, AppVersion.RESTARTED)), versions(v51));
        assertEquals(List.of(new Action.RemoveVersion(WEB, 1)), removedVersions(v51));
        assertEquals(List.of(new Action.RemoveVersion(WEB, 2)), removedVersions(v52));
    }

    @Test
    void onceAnAppIsGoneEveryVersionStillKeptIsTombstoned() {
        // Given an app at version 60 (scales: a restart while the last one's deployment runs is refused)
        core.onNodeReport(node("node-1"), t0);
        core.onAppCommand(CreateApp.of(web(1)), t0);
        for (int i = 2; i <= 60; i++) {
            core.onAppCommand(ScaleApp.of(WEB, 2 - i % 2), t0);
        }

        // When it is deleted (version 61, no version of its own) and its tasks end
        core.onAppCommand(DeleteApp.of(WEB), t0);
        List<Action> gone = new ArrayList<>();
        for (TaskRecord task : core.tasksOf(WEB)) {
            gone.addAll(core.onTaskStatus(status(task, TaskState.KILLED), t0));
        }

        // Then the app's tombstone comes with tombstones for versions 11 to 60
        assertTrue(gone.contains(new Action.RemoveApp(WEB)));
        assertEquals(LongStream.rangeClosed(11, 60).mapToObj(v -> new Action.RemoveVersion(WEB, v)).toList(),
                removedVersions(gone));
    }

    @Test
    void aVersionSaysWhatMadeItAndCarriesTheDefinitionAndItsCause() {
        core.onNodeReport(node("node-1"), t0);
        CreateApp create = CreateApp.of(web(1));

        AppVersion version = ((Action.RecordVersion) core.onAppCommand(create, t0).stream()
                .filter(a -> a instanceof Action.RecordVersion).findFirst().orElseThrow()).version();

        assertEquals(WEB, version.appId());
        assertEquals(create.id(), version.correlationId());
        assertEquals(web(1), version.definition());
        assertNull(AppVersions.recorded(null, core.app(WEB).orElseThrow().deleted("d"), null).stream()
                .findFirst().orElse(null), "a deleting state makes no version");
        AppState current = core.app(WEB).orElseThrow();
        assertFalse(AppVersions.recorded(current, current.replacing("web-0", "r"), null).isEmpty());
        assertEquals(AppVersion.REPLACED, AppVersions.change(current, current.replacing("web-0", "r")));
    }

    // ---- helpers --------------------------------------------------------------------------------------

    record Version(long version, String change) {
    }

    private static CommandReply onlyReply(List<Action> actions) {
        List<CommandReply> replies = actions.stream().filter(a -> a instanceof Action.Reply)
                .map(a -> ((Action.Reply) a).reply()).toList();
        assertEquals(1, replies.size(), "exactly one reply: " + replies);
        return replies.get(0);
    }

    private static List<Version> versions(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.RecordVersion)
                .map(a -> ((Action.RecordVersion) a).version())
                .map(v -> new Version(v.version(), v.change())).toList();
    }

    private static List<Action.RemoveVersion> removedVersions(List<Action> actions) {
        return actions.stream().filter(a -> a instanceof Action.RemoveVersion).map(a -> (Action.RemoveVersion) a)
                .toList();
    }

    private Set<String> running(String appId) {
        return core.tasksOf(appId).stream().filter(t -> t.desired() == DesiredState.RUN).map(TaskRecord::taskId)
                .collect(Collectors.toSet());
    }

    private TaskRecord task(String taskId) {
        return core.tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElseThrow();
    }

    private TaskRecord byIdentity(String identity) {
        return core.tasksOf(DB).stream().filter(t -> identity.equals(t.identity())).reduce((a, b) -> b)
                .orElseThrow();
    }

    /** Feeds the volume service's answers back until it is asked nothing more; every action, in order. */
    private List<Action> settle(List<Action> actions) {
        return service.settle(core, actions, t0);
    }

    /** Every launched task of the app reports RUNNING. */
    private void runAll(String appId, List<Action> ignored) {
        for (TaskRecord task : core.tasksOf(appId)) {
            if (task.awaitingVolumes().isEmpty() && !task.state().isActive()) {
                core.onTaskStatus(status(task, TaskState.RUNNING), t0);
            }
        }
    }

    private static AppDefinition web(int instances) {
        return app(WEB, instances);
    }

    private static AppDefinition app(String id, int instances) {
        return AppDefinition.basic(id, "sleep 100", null, instances, 1, 64, 0, Map.of(), Map.of(),
                List.of(new PortDefinition(0, "http", "tcp", Map.of())));
    }

    private static AppDefinition db(int instances) {
        return AppDefinition.basic(DB, "run", null, instances, 0.1, 16, 0, Map.of(), Map.of(), List.of())
                .withVolumes(List.of(LOCAL));
    }

    private NodeHeartbeat node(String id) {
        return new NodeHeartbeat("hb-" + id, 1, t0, null, id, id, "127.0.0.1", new NodeResources(8, 4096, 10000),
                new PortRange(31000, 31999), Map.of(), "best-effort", "http://127.0.0.1:1", List.of());
    }

    private NodeHeartbeat statefulNode(String id) {
        return new NodeHeartbeat("hb-" + UUID.randomUUID(), 1, t0, null, id, id, "127.0.0.1",
                new NodeResources(4, 4096, 10000), new PortRange(31000, 31999), Map.of(), "cgroups-v2",
                "http://127.0.0.1:1", List.of(), Map.of(), new NodeVolumes(List.of("local"), 3000));
    }

    private static TaskStatus status(TaskRecord task, TaskState state) {
        return new TaskStatus("st-" + UUID.randomUUID(), 1, Instant.parse("2026-11-25T12:00:00Z"), null,
                task.taskId(), task.appId(), task.nodeId(), state, null, null);
    }

    private static <T> List<T> commands(List<Action> actions, Class<T> type) {
        return actions.stream().filter(a -> a instanceof Action.SendToNode).map(a -> ((Action.SendToNode) a).command())
                .filter(type::isInstance).map(type::cast).toList();
    }
}
