package dev.berth.contracts.events;

/** The types of {@link CloudEvent} Berth publishes on {@code berth.events}; {@code docs/events.md} shows each. */
public final class EventTypes {
    private static final String PREFIX = "dev.berth.";

    public static final String APP_CREATED = PREFIX + "app.created";
    /** A new version: scaled, restarted, (later) a new definition. */
    public static final String APP_UPDATED = PREFIX + "app.updated";
    public static final String APP_DELETED = PREFIX + "app.deleted";
    /** A task changed state (STAGING, RUNNING, FINISHED, FAILED, KILLED, LOST, …). */
    public static final String TASK_STATE = PREFIX + "task.state";
    /** A task's health checks changed their verdict (HEALTHY / UNHEALTHY). */
    public static final String TASK_HEALTH = PREFIX + "task.health";
    /** A deployment began (subject {@code deployments/<id>}). */
    public static final String DEPLOYMENT_STARTED = PREFIX + "deployment.started";
    /** Its canaries are healthy; it waits for a promote or a rollback. */
    public static final String DEPLOYMENT_PAUSED = PREFIX + "deployment.paused";
    /** One step of its plan finished and the next began. */
    public static final String DEPLOYMENT_STEP = PREFIX + "deployment.step";
    public static final String DEPLOYMENT_SUCCEEDED = PREFIX + "deployment.succeeded";
    /** It failed (or was cancelled or superseded) and the app stays at the mix it reached. */
    public static final String DEPLOYMENT_FAILED = PREFIX + "deployment.failed";
    /** It was reverted to the previous definition. */
    public static final String DEPLOYMENT_ROLLED_BACK = PREFIX + "deployment.rolled-back";
    public static final String NODE_UP = PREFIX + "node.up";
    public static final String NODE_DOWN = PREFIX + "node.down";
    public static final String NODE_DRAIN = PREFIX + "node.drain";
    public static final String NODE_UNDRAIN = PREFIX + "node.undrain";
    public static final String VOLUME_ATTACHED = PREFIX + "volume.attached";
    public static final String VOLUME_DETACHED = PREFIX + "volume.detached";
    public static final String VOLUME_FENCED = PREFIX + "volume.fenced";
    public static final String VOLUME_RELEASED = PREFIX + "volume.released";
    public static final String VOLUME_DELETED = PREFIX + "volume.deleted";
    /** An attach or delete the volume service refused. */
    public static final String VOLUME_REFUSED = PREFIX + "volume.refused";

    private EventTypes() {
    }
}
