package dev.berth.contracts.messages;

/**
 * One volume for an agent to mount into a task, resolved by the scheduler once the volume service
 * attached it to the task's node.
 *
 * @param volumeId      the volume; the agent's driver finds its storage by it
 * @param type          LOCAL (a directory under the agent's volume root) or EXTERNAL (on the shared mount)
 * @param provider      the driver: {@code local} or {@code sharedfs}
 * @param containerPath where the task sees it: relative to the sandbox, or absolute in its mount namespace
 * @param readOnly      mounted read-only
 * @param sizeMib       the size asked for
 * @param fencingEpoch  the epoch of this attachment; the agent refuses to start the task when the
 *                      storage has seen a newer one, and stops it when one appears
 */
public record VolumeMount(String volumeId, VolumeType type, String provider, String containerPath,
                          boolean readOnly, long sizeMib, long fencingEpoch) {
}
