package dev.berth.agent.volumes;

import dev.berth.contracts.messages.TaskStatus;

/**
 * A volume cannot be given to a task, or removed. Its message is the task's reason as the cluster sees
 * it: {@code VOLUME_FAILED: …} when the node cannot publish the volume, {@code FENCED: …} when the
 * attachment is older than the one the storage has seen.
 */
public class VolumeRefusedException extends Exception {

    private VolumeRefusedException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** The node cannot publish or remove the volume; {@code why} says which and why. */
    public static VolumeRefusedException failed(String why) {
        return new VolumeRefusedException(TaskStatus.VOLUME_FAILED + ": " + why, null);
    }

    public static VolumeRefusedException failed(String why, Throwable cause) {
        return new VolumeRefusedException(TaskStatus.VOLUME_FAILED + ": " + why, cause);
    }

    /** A newer attachment exists, or the node's lease is over: the task must not touch the volume. */
    public static VolumeRefusedException fenced(String why) {
        return new VolumeRefusedException(TaskStatus.FENCED + ": " + why, null);
    }
}
