package dev.berth.contracts;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppTaskHistory;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.Deployment;
import dev.berth.contracts.messages.NodeAdminCommand;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeReport;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;

import java.util.List;
import java.util.Optional;

/**
 * The topic catalogue: every Kafka topic Berth uses, with the key it is partitioned by and
 * whether it is compacted (holds current state) or a stream of events/commands.
 *
 * <p>Names start with a prefix, {@code berth.} unless the system property
 * {@code berth.topic-prefix} or the environment variable {@code BERTH_TOPIC_PREFIX} says
 * otherwise, so several installations can share one Kafka cluster. Every service of one
 * installation must be given the same prefix. It is read once, when this class loads: the names
 * are fixed for the life of the process.
 */
public final class Topics {
    /** The prefix in force for this process. */
    public static final String PREFIX = prefix();

    /** create / update / delete / scale / restart / kill-a-task of an app, from the gateway. Key: appId. */
    public static final Topic<String, AppCommand> APP_COMMANDS = Topic.stream(PREFIX + "app-commands", AppCommand.class, AppCommand::appId);
    /** Accepted desired state of every app, written only by the scheduler. Compacted. Key: appId. */
    public static final Topic<String, AppState> APPS = Topic.state(PREFIX + "apps", AppState.class, AppState::appId)
            .requires("appId", AppState::appId).requires("definition", AppState::definition);
    /**
     * The scheduler's answer to each app command it handled: accepted, or why not (not found, conflict,
     * invalid). Written by the active scheduler in the same transaction as the change it reports, so a
     * reply is visible (read_committed) only once the change is; read by the gateway, which waits for
     * the reply to the command it sent. Not compacted: a reply matters only while someone waits.
     * Key: the command's id.
     */
    public static final Topic<String, CommandReply> COMMAND_REPLIES =
            Topic.stream(PREFIX + "command-replies", CommandReply.class, CommandReply::commandId);
    /**
     * Every accepted version of every app's definition, written by the scheduler next to each new
     * state on {@code berth.apps}; read by the gateway for {@code GET /v1/apps/{id}/versions} (and by
     * deployments and rollbacks for old definitions). Compacted; the scheduler keeps the latest 50
     * versions per app and tombstones the rest, and all of them once the app is gone.
     * Key: {@code appId + "@" + version}, e.g. {@code /team-a/web@3} (see {@link #appVersionKey}).
     */
    public static final Topic<AppVersionKey, AppVersion> APP_VERSIONS = Topic.state(PREFIX + "app-versions", AppVersion.class,
                    AppVersion::appId).keyed(AppVersionKey.ON_THE_WIRE, v -> new AppVersionKey(v.appId(), v.version()))
            .requires("appId", AppVersion::appId).requires("definition", AppVersion::definition);
    /**
     * Every deployment (the roll-out of a change of an app) with its plan, progress and outcome, written
     * by the scheduler in the same transaction as the app and task records each change goes with; read
     * by a scheduler that takes over (to resume it) and by the gateway ({@code GET /v1/deployments}).
     * Compacted: the latest record per deployment is its state; the latest 20 finished ones per app are
     * kept, older ones tombstoned. Key: the deployment id.
     */
    public static final Topic<String, Deployment> DEPLOYMENTS =
            Topic.state(PREFIX + "deployments", Deployment.class, Deployment::deploymentId)
                    .requires("deploymentId", Deployment::deploymentId).requires("appId", Deployment::appId)
                    .requires("state", Deployment::state);
    /** The scheduler's record of every task and where it runs. Compacted. Key: taskId. */
    public static final Topic<String, TaskRecord> TASKS = Topic.state(PREFIX + "tasks", TaskRecord.class, TaskRecord::taskId)
            .requires("taskId", TaskRecord::taskId).requires("appId", TaskRecord::appId)
            .requires("state", TaskRecord::state);
    /**
     * What became of each app's tasks ({@code AppTaskHistory}): its last failure, failures in a row,
     * each instance's restarts and the final records of the last tasks that ended (the scheduler keeps
     * {@code berth.scheduler.ended-tasks-kept} per app). Written by the scheduler with each task's end;
     * read by the gateway and by a scheduler that takes over. Compacted; a tombstone once the app is
     * gone. Key: appId.
     */
    public static final Topic<String, AppTaskHistory> TASK_HISTORY =
            Topic.state(PREFIX + "task-history", AppTaskHistory.class, AppTaskHistory::appId)
                    .requires("appId", AppTaskHistory::appId);
    /** Registration and heartbeats from node agents. Compacted, so the latest report per node survives. Key: nodeId. */
    public static final Topic<String, NodeReport> NODE_STATUS =
            Topic.state(PREFIX + "node-status", NodeReport.class, NodeReport::nodeId).requires("nodeId", NodeReport::nodeId);
    /** Launch / kill commands for one node. Key: nodeId; an agent reads only the partition its key maps to. */
    public static final Topic<String, NodeCommand> NODE_COMMANDS =
            Topic.stream(PREFIX + "node-commands", NodeCommand.class, NodeCommand::nodeId).partitions(8);
    /** Observed task state from agents. Key: taskId. */
    public static final Topic<String, TaskStatus> TASK_STATUS = Topic.stream(PREFIX + "task-status", TaskStatus.class, TaskStatus::taskId);
    /** An operator's drain / undrain of each node, from the gateway. Compacted: the latest per node stands. Key: nodeId. */
    public static final Topic<String, NodeAdminCommand> NODE_ADMIN =
            Topic.state(PREFIX + "node-admin", NodeAdminCommand.class, NodeAdminCommand::nodeId)
                    .requires("nodeId", NodeAdminCommand::nodeId);
    /** Instances waiting to be placed and why, from the scheduler. Compacted. Key: appId. */
    public static final Topic<String, AppQueue> QUEUE = Topic.state(PREFIX + "queue", AppQueue.class, AppQueue::appId)
            .requires("appId", AppQueue::appId);
    /**
     * Scheduler leader election. Nothing is written to it: the schedulers join one consumer group
     * subscribed to this single-partition topic, and the one the group gives partition 0 is the active
     * scheduler. Kafka's group membership is the election; see {@code docs/operations.md}.
     */
    public static final Topic<String, byte[]> SCHEDULER_LEADER = Topic.raw(PREFIX + "scheduler-leader");
    /** Attach / detach / fence / release / delete of a volume, for the volume service. Key: volumeId. */
    public static final Topic<String, VolumeCommand> VOLUME_COMMANDS =
            Topic.stream(PREFIX + "volume-commands", VolumeCommand.class, VolumeCommand::volumeId);
    /**
     * Every change of a volume, from the volume service's outbox, each carrying the whole volume.
     * Compacted: the latest event per volume is its current state. Key: volumeId.
     */
    public static final Topic<String, VolumeEvent> VOLUME_EVENTS =
            Topic.state(PREFIX + "volume-events", VolumeEvent.class, VolumeEvent::volumeId)
                    .requires("kind", VolumeEvent::kind).requires("volume", VolumeEvent::volume)
                    .requires("volume.volumeId", e -> e.volume() == null ? null : e.volume().volumeId())
                    .requires("volume.state", e -> e.volume() == null ? null : e.volume().state());
    /**
     * Each app's routes as the scheduler decided them (which path or host it is served on, or why a
     * claim was refused), written in the same transaction as the app's state; read by the routers and
     * the gateway. Compacted; a tombstone when the app is gone or claims no route. Key: appId.
     */
    public static final Topic<String, AppRoutes> ROUTES = Topic.state(PREFIX + "routes", AppRoutes.class, AppRoutes::appId)
            .requires("appId", AppRoutes::appId);
    /**
     * The public event stream: CloudEvents 1.0 (structured JSON) for outside consumers and the
     * gateway's {@code GET /v1/events}. One partition, so an event's offset orders it among all
     * others and serves as its position for resuming. Key: the event's subject.
     */
    public static final Topic<String, CloudEvent> EVENTS = Topic.stream(PREFIX + "events", CloudEvent.class, CloudEvent::subject);
    /** Messages no consumer could parse, kept with the reason in headers. Never dropped. */
    public static final Topic<String, byte[]> DEAD_LETTER = Topic.raw(PREFIX + "dead-letter");

    private Topics() {
    }

    private static String prefix() {
        String configured = System.getProperty("berth.topic-prefix", System.getenv("BERTH_TOPIC_PREFIX"));
        return configured == null || configured.isBlank() ? "berth." : configured;
    }

    /** The key of one version of an app on {@link #APP_VERSIONS}: {@code /team-a/web@3}. */
    public static String appVersionKey(String appId, long version) {
        return APP_VERSIONS.writeKey(new AppVersionKey(appId, version));
    }

    /** One version of one app, as {@link #APP_VERSIONS} keys it: {@code appId@version}. */
    public record AppVersionKey(String appId, long version) {
        /** How the key is written, and read back: the app id, {@code @}, the version. */
        public static final Topic.Key<AppVersionKey> ON_THE_WIRE = new Topic.Key<>() {
            @Override
            public String write(AppVersionKey key) {
                return key.appId() + "@" + key.version();
            }

            @Override
            public AppVersionKey read(String key) {
                return parseAppVersionKey(key).orElseThrow(() -> new MalformedMessageException(
                        "a key '" + key + "' names no app version (appId@version)"));
            }
        };
    }

    /**
     * The app and version an {@link #APP_VERSIONS} key names ({@link #appVersionKey}'s inverse); empty for
     * a key no scheduler wrote (no {@code @}, or no whole number after the last one).
     */
    public static Optional<AppVersionKey> parseAppVersionKey(String key) {
        int at = key == null ? -1 : key.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new AppVersionKey(key.substring(0, at), Long.parseLong(key.substring(at + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Every topic, which {@link dev.berth.contracts.kafka.TopicBootstrap} creates with its layout. Node
     * commands get several partitions so that each agent reads only its own share; state topics are
     * compacted so a service rebuilds its view by reading them from the start; the election topic has
     * one partition, since more partitions would elect more than one leader.
     */
    public static List<Topic<?, ?>> catalogue() {
        return List.of(APP_COMMANDS, APPS, TASKS, NODE_STATUS, NODE_COMMANDS, TASK_STATUS, NODE_ADMIN, QUEUE,
                VOLUME_COMMANDS, VOLUME_EVENTS, EVENTS, COMMAND_REPLIES, APP_VERSIONS, DEPLOYMENTS, TASK_HISTORY,
                ROUTES, SCHEDULER_LEADER, DEAD_LETTER);
    }
}
