package dev.berth.contracts;

import java.util.List;

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
    public static final String APP_COMMANDS = PREFIX + "app-commands";
    /** Accepted desired state of every app, written only by the scheduler. Compacted. Key: appId. */
    public static final String APPS = PREFIX + "apps";
    /**
     * The scheduler's answer to each app command it handled: accepted, or why not (not found, conflict,
     * invalid). Written by the active scheduler in the same transaction as the change it reports, so a
     * reply is visible (read_committed) only once the change is; read by the gateway, which waits for
     * the reply to the command it sent. Not compacted: a reply matters only while someone waits.
     * Key: the command's id.
     */
    public static final String COMMAND_REPLIES = PREFIX + "command-replies";
    /**
     * Every accepted version of every app's definition, written by the scheduler next to each new
     * state on {@code berth.apps}; read by the gateway for {@code GET /v1/apps/{id}/versions} (and by
     * deployments and rollbacks for old definitions). Compacted; the scheduler keeps the latest 50
     * versions per app and tombstones the rest, and all of them once the app is gone.
     * Key: {@code appId + "@" + version}, e.g. {@code /team-a/web@3} (see {@link #appVersionKey}).
     */
    public static final String APP_VERSIONS = PREFIX + "app-versions";
    /**
     * Every deployment (the roll-out of a change of an app) with its plan, progress and outcome, written
     * by the scheduler in the same transaction as the app and task records each change goes with; read
     * by a scheduler that takes over (to resume it) and by the gateway ({@code GET /v1/deployments}).
     * Compacted: the latest record per deployment is its state; the latest 20 finished ones per app are
     * kept, older ones tombstoned. Key: the deployment id.
     */
    public static final String DEPLOYMENTS = PREFIX + "deployments";
    /** The scheduler's record of every task and where it runs. Compacted. Key: taskId. */
    public static final String TASKS = PREFIX + "tasks";
    /**
     * What became of each app's tasks ({@code AppTaskHistory}): its last failure, failures in a row,
     * each instance's restarts and the final records of the last tasks that ended (the scheduler keeps
     * {@code berth.scheduler.ended-tasks-kept} per app). Written by the scheduler with each task's end;
     * read by the gateway and by a scheduler that takes over. Compacted; a tombstone once the app is
     * gone. Key: appId.
     */
    public static final String TASK_HISTORY = PREFIX + "task-history";
    /** Registration and heartbeats from node agents. Compacted, so the latest report per node survives. Key: nodeId. */
    public static final String NODE_STATUS = PREFIX + "node-status";
    /** Launch / kill commands for one node. Key: nodeId; an agent reads only the partition its key maps to. */
    public static final String NODE_COMMANDS = PREFIX + "node-commands";
    /** Observed task state from agents. Key: taskId. */
    public static final String TASK_STATUS = PREFIX + "task-status";
    /** An operator's drain / undrain of each node, from the gateway. Compacted: the latest per node stands. Key: nodeId. */
    public static final String NODE_ADMIN = PREFIX + "node-admin";
    /** Instances waiting to be placed and why, from the scheduler. Compacted. Key: appId. */
    public static final String QUEUE = PREFIX + "queue";
    /**
     * Scheduler leader election. Nothing is written to it: the schedulers join one consumer group
     * subscribed to this single-partition topic, and the one the group gives partition 0 is the active
     * scheduler. Kafka's group membership is the election; see {@code docs/operations.md}.
     */
    public static final String SCHEDULER_LEADER = PREFIX + "scheduler-leader";
    /** Attach / detach / fence / release / delete of a volume, for the volume service. Key: volumeId. */
    public static final String VOLUME_COMMANDS = PREFIX + "volume-commands";
    /**
     * Every change of a volume, from the volume service's outbox, each carrying the whole volume.
     * Compacted: the latest event per volume is its current state. Key: volumeId.
     */
    public static final String VOLUME_EVENTS = PREFIX + "volume-events";
    /**
     * The public event stream: CloudEvents 1.0 (structured JSON) for outside consumers and the
     * gateway's {@code GET /v1/events}. One partition, so an event's offset orders it among all
     * others and serves as its position for resuming. Key: the event's subject.
     */
    public static final String EVENTS = PREFIX + "events";
    /** Messages no consumer could parse, kept with the reason in headers. Never dropped. */
    public static final String DEAD_LETTER = PREFIX + "dead-letter";

    private Topics() {
    }

    private static String prefix() {
        String configured = System.getProperty("berth.topic-prefix", System.getenv("BERTH_TOPIC_PREFIX"));
        return configured == null || configured.isBlank() ? "berth." : configured;
    }

    /** The key of one version of an app on {@link #APP_VERSIONS}: {@code /team-a/web@3}. */
    public static String appVersionKey(String appId, long version) {
        return appId + "@" + version;
    }

    /** One version of one app, as {@link #APP_VERSIONS} keys it. */
    public record AppVersionKey(String appId, long version) {
    }

    /**
     * The app and version an {@link #APP_VERSIONS} key names ({@link #appVersionKey}'s inverse); empty for
     * a key no scheduler wrote (no {@code @}, or no whole number after the last one).
     */
    public static java.util.Optional<AppVersionKey> parseAppVersionKey(String key) {
        int at = key == null ? -1 : key.lastIndexOf('@');
        if (at <= 0) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(new AppVersionKey(key.substring(0, at), Long.parseLong(key.substring(at + 1))));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** How a topic is laid out; {@link dev.berth.contracts.kafka.TopicBootstrap} creates them from this. */
    public record Spec(String name, int partitions, boolean compacted) {
    }

    /**
     * Every topic with its layout. Node commands get several partitions so that each agent
     * reads only its own share; state topics are compacted so a service rebuilds its view by
     * reading them from the start.
     */
    public static List<Spec> catalogue() {
        return List.of(
                new Spec(APP_COMMANDS, 1, false),
                new Spec(APPS, 1, true),
                new Spec(TASKS, 1, true),
                new Spec(NODE_STATUS, 1, true),
                new Spec(NODE_COMMANDS, 8, false),
                new Spec(TASK_STATUS, 1, false),
                new Spec(NODE_ADMIN, 1, true),
                new Spec(QUEUE, 1, true),
                new Spec(VOLUME_COMMANDS, 1, false),
                new Spec(VOLUME_EVENTS, 1, true),
                new Spec(EVENTS, 1, false),
                new Spec(COMMAND_REPLIES, 1, false),
                new Spec(APP_VERSIONS, 1, true),
                new Spec(DEPLOYMENTS, 1, true),
                new Spec(TASK_HISTORY, 1, true),
                // One partition, one leader: more partitions would elect more than one.
                new Spec(SCHEDULER_LEADER, 1, false),
                new Spec(DEAD_LETTER, 1, false));
    }
}
