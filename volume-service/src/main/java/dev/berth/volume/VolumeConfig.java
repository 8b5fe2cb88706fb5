package dev.berth.volume;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** Configuration of the volume service ({@code berth.volume.*}, or BERTH_VOLUME_* env vars). */
@ConfigMapping(prefix = "berth.volume")
public interface VolumeConfig {
    /**
     * The mount every node shares, where the {@code sharedfs} driver keeps a directory per external
     * volume ({@code <shared root>/<volume id>}): the same directory the agents know as
     * {@code BERTH_AGENT_SHARED_VOLUME_ROOT}. Unset: the service keeps metadata only and the agents
     * create the directories when they mount them.
     */
    Optional<String> sharedRoot();

    /**
     * TEST KNOB, leave at 0 in production: how long to wait between granting an attachment
     * (ATTACHING committed) and provisioning it, so a system test can kill the service inside that
     * window and check that the next start finishes the attachment.
     */
    @WithDefault("0s")
    Duration provisionDelay();

    /** Consumer group reading {@code berth.volume-commands}; its committed offsets are the service's place. */
    @WithDefault("berth-volume-service")
    String consumerGroup();

    /**
     * How often the outbox relay looks for events even when nobody woke it (events of a transaction
     * whose wake-up was lost, a broker that was away). Each command wakes it at once.
     */
    @WithDefault("1s")
    Duration relayInterval();

    /** How long a publication may wait for the broker's acknowledgement before it is retried. */
    @WithDefault("10s")
    Duration kafkaAckTimeout();

    /** Replicas of the topics this service creates if they are missing (1 for a single broker). */
    @WithDefault("1")
    short topicReplicationFactor();
}
