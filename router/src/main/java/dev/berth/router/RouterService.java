package dev.berth.router;

import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.router.haproxy.Haproxy;
import dev.berth.router.haproxy.HaproxyRoute;
import dev.berth.router.haproxy.HaproxySettings;
import dev.berth.router.table.RouteTable;
import dev.berth.router.view.RouteFeed;
import dev.berth.router.view.RouterView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The router: HAProxy in front, Berth's topics behind. Every time the view changes, the whole table
 * of routes is made again and handed to HAProxy, which applies only what differs (task changes through
 * its Runtime API, without a reload). A table HAProxy refuses is logged and the previous one keeps
 * serving: bad input never takes routing down.
 */
@ApplicationScoped
public class RouterService {
    private static final Logger LOG = Logger.getLogger(RouterService.class);

    @Inject
    RouterConfig config;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    private final RouterView view = new RouterView();
    private Haproxy haproxy;
    private RouteFeed feed;
    private volatile List<HaproxyRoute> serving = List.of();

    void onStart(@Observes StartupEvent event) throws IOException {
        Path workDir = config.workDir().orElse(Files.createTempDirectory("berth-router-"));
        Files.createDirectories(workDir);
        haproxy = Haproxy.start(new HaproxySettings(config.haproxy(), config.bindAddress(), config.port(), workDir,
                config.cookieKey(), config.slotsPerBackend()));
        LOG.infof("routing on %s:%d (HAProxy, work directory %s)", config.bindAddress(), haproxy.port(), workDir);
        Gauge.builder("berth.router.routes", this, r -> r.serving.size())
                .description("Routes (a path or host of a routed app) this router has HAProxy serve").register(metrics);
        // A router may start before any other service: the topics it follows are made if missing (a
        // follower of a topic that does not exist yet stops with nothing to read).
        TopicBootstrap.ensureTopics(bootstrapServers, config.topicReplicationFactor());
        // At 0 from the start: a first dead letter is then an increase (DeadLetters.countedTopics).
        DeadLetters.countedTopics().forEach(this::deadLetters);
        feed = new RouteFeed(bootstrapServers, view, this::apply, topic -> deadLetters(topic).increment());
        // The feed's lag (kafka_consumer_fetch_manager_records_lag{client_id="berth-router-feed"}): Quarkus
        // binds only the connector's clients, and the router has none.
        feed.watchedBy(kafka -> {
            KafkaClientMetrics bound = new KafkaClientMetrics(kafka);
            bound.bindTo(metrics);
            return bound;
        });
        feed.start();
    }

    private Counter deadLetters(String sourceTopic) {
        return Counter.builder(DeadLetters.METRIC).description(DeadLetters.METRIC_DESCRIPTION)
                .tag("topic", sourceTopic).register(metrics);
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (feed != null) {
            feed.close();
        }
        if (haproxy != null) {
            haproxy.close();
        }
    }

    /** Makes the table from the view and has HAProxy serve it (on the feed's thread: one at a time). */
    private void apply() {
        List<HaproxyRoute> table = RouteTable.of(view.routes(), view::app, view::tasksOf);
        try {
            haproxy.apply(table);
            serving = table;
        } catch (RuntimeException e) {
            LOG.errorf(e, "HAProxy refused the routes; the previous ones keep serving");
        }
    }

    /** The routes this router serves now. */
    public List<HaproxyRoute> serving() {
        return serving;
    }

    public boolean caughtUp() {
        return feed != null && feed.caughtUp();
    }

    public int reloads() {
        return haproxy == null ? 0 : haproxy.reloads();
    }
}
