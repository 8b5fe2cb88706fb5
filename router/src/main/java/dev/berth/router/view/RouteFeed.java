package dev.berth.router.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.StateFollower;
import dev.berth.contracts.kafka.TopicHandlers;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Keeps a {@link RouterView} current from {@code berth.apps}, {@code berth.tasks} and
 * {@code berth.routes} ({@link StateFollower}: from the beginning, no consumer group — every router
 * builds the whole picture, so several run side by side without knowing of each other). Once caught
 * up, it calls {@code changed} after each poll that changed something, on its own thread: while
 * history is replayed the table is made once, at the end, not per poll.
 */
public final class RouteFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteFeed.class);
    /** The feed's consumer as Kafka and its metrics ({@code client_id}) name it; one per router process. */
    public static final String CLIENT_ID = "berth-router-feed";

    private final RouterView view;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Runnable changed;
    private final StateFollower follower;
    private volatile boolean announced;

    /** @param deadLettered told the source topic of each record set aside (the router's metrics count them) */
    public RouteFeed(String bootstrapServers, RouterView view, Runnable changed, Consumer<String> deadLettered) {
        this.view = view;
        this.changed = changed;
        this.deadLetters = KafkaClientFactory.producer(bootstrapServers, "router-dead-letters").create();
        TopicHandlers handlers = new TopicHandlers()
                .on(Topics.APPS, view::putApp, view::removeApp)
                .on(Topics.TASKS, view::putTask, view::removeTask)
                .on(Topics.ROUTES, view::putRoutes, view::removeRoutes);
        this.follower = new StateFollower("route-feed", CLIENT_ID, bootstrapServers, handlers, "router", deadLetter -> {
            deadLetters.send(deadLetter);
            deadLettered.accept(DeadLetters.sourceTopic(deadLetter));
        }, this::polled);
    }

    /**
     * Has {@code watcher} bind the consumer's own Kafka metrics, its lag among them
     * ({@link StateFollower#watchedBy}); before {@link #start}.
     */
    public void watchedBy(Function<KafkaConsumer<String, byte[]>, AutoCloseable> watcher) {
        follower.watchedBy(watcher);
    }

    public void start() {
        follower.start();
    }

    /** True once the topics were read up to where they ended at start: the router serves what Berth knows. */
    public boolean caughtUp() {
        return follower.caughtUp() && announced;
    }

    private void polled(boolean caughtUp, boolean applied) {
        if (!caughtUp) {
            return;
        }
        if (!announced || applied) {
            changed.run();
        }
        if (!announced) {
            announced = true;
            LOG.infof("routes caught up: %d apps with routes", view.routes().size());
        }
    }

    @Override
    public void close() throws InterruptedException {
        follower.close();
        deadLetters.close(Duration.ofSeconds(2));
    }
}
