package dev.berth.volume.metrics;

import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.volume.lifecycle.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The volume service's Prometheus metrics ({@code /q/metrics}, docs/observability.md): how long an
 * attach and a fence take to carry out, how long a failover takes from the fence of the lost node's
 * attachment to the volume attached again elsewhere, and its dead letters.
 *
 * <p>Why failover is timed here, in memory: the fence and the next attach are two commands, and only
 * this service sees both. A restart between them loses that one failover's time (not the volume's
 * state, which is in PostgreSQL); the attach is still timed.
 */
// @Startup: the timers show (with count 0) from the start, not from the first command.
@Startup
@ApplicationScoped
public class VolumeMetrics {
    private final MeterRegistry registry;
    private final Timer fence;
    private final Timer failover;
    /** Volumes fenced and not attached, released or deleted since: when the fence committed (nanoTime). */
    private final Map<String, Long> fencedAt = new ConcurrentHashMap<>();

    @Inject
    public VolumeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.fence = Timer.builder("berth.volume.fence")
                .description("Time to carry out a fence (void a lost node's attachment, raise the epoch)")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        this.failover = Timer.builder("berth.volume.failover")
                .description("Time from a volume's fence to its attachment to another node")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        // At 0 from the start: a first dead letter is then an increase (DeadLetters.countedTopics).
        DeadLetters.countedTopics().forEach(this::deadLetters);
    }

    /**
     * A command was carried out to {@code outcome} in {@code nanos}, from its first transaction to the
     * driver's work and the last one (an attach's provisioning included).
     */
    public void carriedOut(VolumeCommand command, Outcome outcome, long nanos) {
        if (outcome.result() == Outcome.Result.DUPLICATE) {
            return; // done before: nothing was carried out now
        }
        long now = System.nanoTime();
        if (command instanceof AttachVolume attach) {
            attach(result(outcome)).record(nanos, TimeUnit.NANOSECONDS);
            if (outcome.announced() == VolumeEvent.Kind.ATTACHED) {
                Long fenced = fencedAt.remove(attach.volumeId());
                if (fenced != null) {
                    failover.record(now - fenced, TimeUnit.NANOSECONDS);
                }
            }
        } else if (command instanceof FenceVolume fenceVolume) {
            fence.record(nanos, TimeUnit.NANOSECONDS);
            if (outcome.announced() == VolumeEvent.Kind.FENCED) {
                fencedAt.put(fenceVolume.volumeId(), now);
            }
        } else if (command instanceof ReleaseVolume || command instanceof DeleteVolume) {
            fencedAt.remove(command.volumeId());
        }
    }

    /** A record of {@code sourceTopic} went to the dead-letter topic. */
    public void deadLettered(String sourceTopic) {
        deadLetters(sourceTopic).increment();
    }

    private Counter deadLetters(String sourceTopic) {
        return Counter.builder(DeadLetters.METRIC).description(DeadLetters.METRIC_DESCRIPTION).tag("topic", sourceTopic)
                .register(registry);
    }

    private Timer attach(String result) {
        return Timer.builder("berth.volume.attach")
                .description("Time to carry out an attach, provisioning included, by result (attached, refused, unchanged)")
                .tag("result", result)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
    }

    private static String result(Outcome outcome) {
        if (outcome.announced() == VolumeEvent.Kind.ATTACHED) {
            return "attached";
        }
        return outcome.announced() == VolumeEvent.Kind.ATTACH_REFUSED ? "refused" : "unchanged";
    }
}
