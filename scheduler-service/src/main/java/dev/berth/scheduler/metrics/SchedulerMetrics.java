package dev.berth.scheduler.metrics;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.events.CloudEvent;
import dev.berth.contracts.events.EventTypes;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.messages.DeploymentState;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.scheduler.core.Action;
import dev.berth.scheduler.core.SchedulerCore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler's Prometheus metrics ({@code /q/metrics}, docs/observability.md): the state gauges of
 * the active scheduler, its placements, batches, transactions, leadership and rebuilds.
 *
 * <p>Why here and not in the core: the core decides and stays plain Java; the loop that runs it tells
 * this class what it decided and committed, and the gauges are counted from the state the core exposes
 * ({@link ClusterCounts}), on the loop's own thread, because the core is not safe to read from the
 * thread of a scrape. Counting walks every task, so it runs at most once per {@link #COUNT_INTERVAL}:
 * a scrape every few seconds sees numbers at most that old, and a batch of thousands of tasks does not
 * pay for a count each.
 */
// @Startup: a standby that never led shows berth_scheduler_leader 0 from its start, not nothing.
@Startup
@ApplicationScoped
public class SchedulerMetrics {
    /** How stale the state gauges may be; Prometheus scrapes every 15 s by default. */
    static final Duration COUNT_INTERVAL = Duration.ofSeconds(1);

    private final MeterRegistry registry;
    private final MultiGauge tasks;
    private final MultiGauge apps;
    private final MultiGauge waiting;
    private final MultiGauge nodes;
    private final Timer placement;
    private final DistributionSummary batchRecords;
    private final Timer transaction;
    private final Timer rebuild;
    private volatile boolean active;
    private long countedAt = Long.MIN_VALUE;

    @Inject
    public SchedulerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.tasks = MultiGauge.builder("berth.tasks")
                .description("Tasks the active scheduler records, by observed state and team").register(registry);
        this.apps = MultiGauge.builder("berth.apps")
                .description("Apps the active scheduler holds, by status (as GET /v1/apps shows it) and team")
                .register(registry);
        this.waiting = MultiGauge.builder("berth.queue.waiting")
                .description("Instances waiting in the queue, by why: backoff, unplaced (no node fits), pending")
                .register(registry);
        this.nodes = MultiGauge.builder("berth.nodes")
                .description("Registered nodes, by availability: READY, DRAINING, UNREACHABLE (missed heartbeats)")
                .register(registry);
        this.placement = Timer.builder("berth.placement")
                .description("Time the scheduler took to decide an input that placed tasks, placement included")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.batchRecords = DistributionSummary.builder("berth.scheduler.batch.records")
                .description("Input records decided in one scheduler transaction")
                .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(5000.0)
                .register(registry);
        this.transaction = Timer.builder("berth.scheduler.transaction")
                .description("Time of one scheduler Kafka transaction, from its begin to its commit")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        this.rebuild = Timer.builder("berth.scheduler.rebuild")
                .description("Time a newly elected scheduler took to fence its predecessor and rebuild its state")
                .register(registry);
        Gauge.builder("berth.scheduler.leader", this, m -> m.active ? 1 : 0)
                .description("1 while this scheduler is the active one (elected, its state rebuilt), else 0")
                .register(registry);
        // Every outcome and topic at 0 from the start, so the first failed deployment and the first dead
        // letter are an increase Prometheus sees (DeadLetters.countedTopics says why).
        for (DeploymentState state : DeploymentState.values()) {
            if (state.isTerminal()) {
                deployments(registry, state.name().toLowerCase(Locale.ROOT));
            }
        }
        DeadLetters.countedTopics().forEach(topic -> deadLetters(registry, topic));
    }

    private static Counter deployments(MeterRegistry registry, String outcome) {
        return Counter.builder("berth.deployments")
                .description("Deployments that ended, by outcome: succeeded, failed, rolled_back, cancelled, superseded")
                .tag("outcome", outcome).register(registry);
    }

    /**
     * This process became the active scheduler: the rebuild took {@code took}; the gauges show the
     * rebuilt state from now on.
     */
    public void acting(SchedulerCore core, Duration took) {
        rebuild.record(took);
        active = true;
        countedAt = Long.MIN_VALUE;
        count(core);
    }

    /** Called by the loop between batches: counts the state again once {@link #COUNT_INTERVAL} has passed. */
    public void count(SchedulerCore core) {
        long now = System.nanoTime();
        if (countedAt != Long.MIN_VALUE && now - countedAt < COUNT_INTERVAL.toNanos()) {
            return;
        }
        countedAt = now;
        show(ClusterCounts.of(core.apps(), core.tasks(), core::queued, core::history, core.nodeModes()));
    }

    /** The session ended (deposed, stopped or failed): a scheduler that does not act shows no state. */
    public void standingBy() {
        active = false;
        show(ClusterCounts.none());
    }

    /**
     * Shows the session consumer's own metrics (Micrometer's Kafka binder: among them
     * {@code kafka_consumer_fetch_manager_records_lag{topic,partition}}, how far the scheduler is behind
     * each input) until the returned binding is closed with the session. Quarkus binds only the
     * connector's clients by itself; the scheduler's are plain.
     */
    public KafkaClientMetrics watch(KafkaConsumer<String, byte[]> consumer) {
        KafkaClientMetrics bound = new KafkaClientMetrics(consumer);
        bound.bindTo(registry);
        return bound;
    }

    /** The announcements that end a deployment; the deployments counter counts each once, as it is announced. */
    private static final Set<String> DEPLOYMENT_ENDS = Set.of(EventTypes.DEPLOYMENT_SUCCEEDED,
            EventTypes.DEPLOYMENT_FAILED, EventTypes.DEPLOYMENT_ROLLED_BACK);

    /**
     * How an ended deployment's announcement reads as the counter's {@code outcome}: its state, lower case
     * ({@code succeeded}, {@code failed}, {@code rolled_back}, {@code cancelled}, {@code superseded}), so
     * that an alert on {@code failed} is not raised by an operator's cancel; null for any other event.
     */
    static String deploymentOutcome(CloudEvent event) {
        if (!DEPLOYMENT_ENDS.contains(event.type())) {
            return null;
        }
        String state = event.data() == null ? "" : event.data().path("state").asText("");
        if (state.isEmpty()) {
            state = event.type().substring(event.type().lastIndexOf('.') + 1).replace('-', '_');
        }
        return state.toLowerCase(Locale.ROOT);
    }

    /** A tally of one batch, counted only once the batch is committed (a dropped batch is decided again). */
    public Batch batch() {
        return new Batch();
    }

    /** A message the scheduler set aside on {@code berth.dead-letter}, committed. */
    public void deadLettered(String sourceTopic) {
        deadLetters(registry, sourceTopic).increment();
    }

    /** The dead-letter counter every Berth service keeps, by the topic the message came from. */
    static Counter deadLetters(MeterRegistry registry, String sourceTopic) {
        return Counter.builder(DeadLetters.METRIC).description(DeadLetters.METRIC_DESCRIPTION)
                .tag("topic", sourceTopic).register(registry);
    }

    private void show(ClusterCounts counts) {
        // overwrite: a row's value is a number fixed at registration, so a changed count replaces it; a
        // label set no longer counted (the last task of a team ended) disappears.
        tasks.register(counts.tasks().entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("state", e.getKey().state(), "team", e.getKey().team()), e.getValue())).toList(), true);
        apps.register(counts.apps().entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("status", e.getKey().status(), "team", e.getKey().team()), e.getValue())).toList(), true);
        waiting.register(counts.waiting().entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("reason", e.getKey().label()), e.getValue())).toList(), true);
        nodes.register(counts.nodes().entrySet().stream().map(e -> MultiGauge.Row.of(
                Tags.of("availability", e.getKey().name()), e.getValue())).toList(), true);
    }

    /** What one batch decided, recorded once its transaction committed. Used by the loop's thread only. */
    public final class Batch {
        private final Map<String, Integer> launchesByTeam = new HashMap<>();
        private final Map<String, Integer> deadLettersByTopic = new HashMap<>();
        private final Map<String, Integer> deploymentsByOutcome = new HashMap<>();

        private Batch() {
        }

        /** The core took {@code nanos} to decide one input into {@code actions}. */
        public void decided(long nanos, List<Action> actions) {
            int launches = 0;
            for (Action action : actions) {
                if (action instanceof Action.SendToNode send && send.command() instanceof LaunchTask launch) {
                    launchesByTeam.merge(AppIds.team(launch.appId()), 1, Integer::sum);
                    launches++;
                } else if (action instanceof Action.Announce announce) {
                    String outcome = deploymentOutcome(announce.event());
                    if (outcome != null) {
                        deploymentsByOutcome.merge(outcome, 1, Integer::sum);
                    }
                }
            }
            if (launches > 0) {
                placement.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        /** A record of {@code sourceTopic} goes to the dead-letter topic with this batch. */
        public void deadLettered(String sourceTopic) {
            deadLettersByTopic.merge(sourceTopic, 1, Integer::sum);
        }

        /** The batch of {@code inputRecords} records committed in a transaction of {@code transactionNanos}. */
        public void committed(int inputRecords, long transactionNanos) {
            batchRecords.record(inputRecords);
            transaction.record(transactionNanos, TimeUnit.NANOSECONDS);
            launchesByTeam.forEach((team, n) -> Counter.builder("berth.placements")
                    .description("Tasks placed and sent to their node, by team").tag("team", team)
                    .register(registry).increment(n));
            deadLettersByTopic.forEach((topic, n) -> deadLetters(registry, topic).increment(n));
            deploymentsByOutcome.forEach((outcome, n) -> deployments(registry, outcome).increment(n));
        }
    }
}
