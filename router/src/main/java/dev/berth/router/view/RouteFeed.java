package dev.berth.router.view;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.PollLoop;
import dev.berth.contracts.kafka.TopicHandlers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps a {@link RouterView} current from {@code berth.apps}, {@code berth.tasks} and
 * {@code berth.routes}, read from the beginning without a consumer group: every router builds the
 * whole picture for itself, so several run side by side without knowing of each other. Reads only
 * what the scheduler committed. After each poll that changed something it calls {@code changed}, on
 * this thread. A record it cannot read goes to the dead-letter topic and the router carries on.
 */
public final class RouteFeed implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RouteFeed.class);
    private static final String CONSUMER_NAME = "router";

    private final RouterView view;
    private final TopicHandlers handlers;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    private final Runnable changed;
    private final PollLoop loop;
    private volatile boolean caughtUp;

    public RouteFeed(String bootstrapServers, RouterView view, Runnable changed) {
        this.view = view;
        this.changed = changed;
        this.handlers = new TopicHandlers()
                .on(Topics.APPS, view::putApp, view::removeApp)
                .on(Topics.TASKS, view::putTask, view::removeTask)
                .on(Topics.ROUTES, view::putRoutes, view::removeRoutes);
        this.consumer = KafkaClientFactory.consumer(bootstrapServers, null).readCommitted(Duration.ofMillis(50)).create();
        this.deadLetters = KafkaClientFactory.producer(bootstrapServers, "router-dead-letters").create();
        this.loop = new PollLoop("route-feed", consumer, false, Duration.ofSeconds(30), this::run);
    }

    public void start() {
        loop.start();
    }

    /** True once the topics were read up to where they ended at start: the router serves what Berth knows. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run(PollLoop loop) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : handlers.topicNames()) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> endAtStart = consumer.endOffsets(partitions);
        while (loop.running()) {
            long before = view.changes();
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                apply(record);
            }
            boolean caughtUpNow = caughtUp
                    || partitions.stream().allMatch(tp -> consumer.position(tp) >= endAtStart.get(tp));
            // While replaying history the table is made once, at the end, not per poll.
            if (caughtUpNow && (!caughtUp || view.changes() != before)) {
                changed.run();
            }
            if (!caughtUp && caughtUpNow) {
                caughtUp = true;
                LOG.infof("routes caught up: %d apps with routes", view.routes().size());
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            handlers.handle(record);
        } catch (MalformedMessageException e) {
            deadLetters.send(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot apply %s[%d]@%d", record.topic(), record.partition(), record.offset());
            deadLetters.send(DeadLetters.of(record, CONSUMER_NAME, "the router could not apply it: " + e));
        }
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        deadLetters.close(Duration.ofSeconds(2));
    }
}
