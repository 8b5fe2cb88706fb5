package dev.berth.agent.command;

import dev.berth.agent.status.StatusPublisher;
import dev.berth.agent.trace.LaunchSpans;
import dev.berth.contracts.Topics;
import dev.berth.contracts.kafka.ConsumerWatch;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.KafkaClientFactory;
import dev.berth.contracts.kafka.NodePartitions;
import dev.berth.contracts.kafka.PollLoop;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.trace.RecordTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads this node's commands on its own thread: a plain {@link KafkaConsumer} that assigns itself
 * only the partition of {@code berth.node-commands} its node id maps to ({@link NodePartitions}),
 * and skips the other nodes' commands that share it. There is no group rebalancing: the group
 * {@code berth-agent-<node id>} exists only to keep the node's committed offset, committed after
 * each batch has been handed over, so an agent restart resumes where it stopped.
 *
 * <p>Why a plain client ({@link KafkaClientFactory}, {@link PollLoop}) and not a SmallRye connector
 * channel: the connector can assign one partition only from its configuration ({@code assign-seek}),
 * while the partition depends on the topic's partition count as the broker reports it; and the node
 * may register only once its read position is fixed and committed ({@link #start}), for with a new
 * node's {@code latest} a launch sent before the position was resolved would be skipped. The
 * connector resolves its position lazily on its own polling thread and gives no such moment.
 */
public final class NodeCommandConsumer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeCommandConsumer.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final String nodeId;
    private final String consumerName;
    private final KafkaConsumer<String, byte[]> consumer;
    private final ConsumerWatch watch = new ConsumerWatch();
    private final Consumer<NodeCommand> handler;
    private final StatusPublisher publisher;
    private final RecordTracing tracing;
    private final LaunchSpans launches;
    private final CountDownLatch positioned = new CountDownLatch(1);
    private final PollLoop loop;
    private volatile int partition = -1;

    /**
     * @param tracing  continues the trace a command carries
     * @param launches where a traced launch's span waits for its task to run
     */
    public NodeCommandConsumer(String bootstrapServers, String nodeId, Consumer<NodeCommand> handler,
                               StatusPublisher publisher, RecordTracing tracing, LaunchSpans launches) {
        this.nodeId = nodeId;
        this.tracing = tracing;
        this.launches = launches;
        this.consumerName = "node-agent:" + nodeId;
        this.handler = handler;
        this.publisher = publisher;
        String clientId = "berth-agent-" + nodeId;
        this.consumer = KafkaClientFactory.consumer(bootstrapServers, clientId)
                .group(clientId)
                // The scheduler writes commands in transactions: never act on an aborted one; and a
                // held read_committed fetch would be most of a launch's latency.
                .readCommitted(Duration.ofMillis(50))
                // Only a node id with no committed offset falls back on this. Such a node is new:
                // whatever the partition holds for that id was written before this agent existed
                // (a decommissioned node of the same name, an old test run), and replaying it would
                // launch tasks the scheduler has long written off. So start at the end. Nothing meant
                // for this agent is missed: the position is fixed and committed before the node
                // registers, and the scheduler cannot address a node it has not heard of.
                .withoutOffsetStartAt("latest")
                .create();
        this.loop = new PollLoop("node-commands", consumer, false, Duration.ofSeconds(5), this::run);
    }

    /**
     * Starts reading and returns once the read position is fixed and committed, so the node may
     * register: from then on no command for it can be missed, even across an agent restart.
     */
    public void start(Duration timeout) throws InterruptedException {
        loop.start();
        if (!positioned.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException("could not reach " + Topics.NODE_COMMANDS.name() + " within " + timeout);
        }
    }

    /** True while the reading thread runs: if it is gone, the node no longer hears its commands. */
    public boolean reading() {
        return loop.alive();
    }

    /** The partition this node reads, once started. */
    public int partition() {
        return partition;
    }

    private void run(PollLoop loop) {
        TopicPartition mine = position(loop);
        while (loop.running()) {
            try {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> record : records.records(mine)) {
                    handle(record);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                // The broker went away or a commit failed: keep the thread, it is the node's only
                // way to hear commands. Handled records are not lost; at worst a restart replays
                // a few, which the supervisor ignores by command id.
                LOG.warnf("reading commands for %s failed, retrying: %s", nodeId, e.getMessage());
                loop.pause(RETRY);
            }
        }
    }

    /** Assigns the node's partition, resolves where to read from and commits it. */
    private TopicPartition position(PollLoop loop) {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (true) {
            try {
                List<PartitionInfo> partitions = consumer.partitionsFor(Topics.NODE_COMMANDS.name());
                if (partitions != null && !partitions.isEmpty()) {
                    TopicPartition mine = new TopicPartition(Topics.NODE_COMMANDS.name(),
                            NodePartitions.partitionFor(nodeId, partitions.size()));
                    consumer.assign(List.of(mine));
                    long offset = consumer.position(mine);
                    consumer.commitSync(Map.of(mine, new OffsetAndMetadata(offset)));
                    partition = mine.partition();
                    LOG.infof("node %s reads %s from offset %d", nodeId, mine, offset);
                    positioned.countDown();
                    return mine;
                }
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                LOG.warnf("cannot reach %s yet: %s", Topics.NODE_COMMANDS.name(), e.getMessage());
            }
            loop.pause(RETRY);
            loop.stopIfAsked();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        NodeCommandIntake.Verdict verdict = NodeCommandIntake.classify(nodeId, record.key(), record.value());
        if (verdict instanceof NodeCommandIntake.Mine mine) {
            Span span = span(record, mine.command());
            boolean launch = mine.command() instanceof LaunchTask;
            try (Scope ignored = RecordTracing.enter(span)) {
                handler.accept(mine.command());
                if (!launch) {
                    // Ended once the supervisor has it: what is reported later is not this command's alone.
                    span.end();
                }
            } catch (RuntimeException e) {
                span.setStatus(StatusCode.ERROR, "failed: " + e);
                launches.abandon(mine.command().taskId(), span);
                span.end();
                // A command we can read but not carry out must not stop the node taking others;
                // it is kept, with the reason, for an operator.
                LOG.errorf(e, "cannot carry out %s", StatusPublisher.where(record));
                publisher.deadLetter(DeadLetters.of(record, consumerName, "failed: " + e));
            }
        } else if (verdict instanceof NodeCommandIntake.Unreadable unreadable) {
            LOG.warnf("dead-lettering %s: %s", StatusPublisher.where(record), unreadable.reason());
            publisher.deadLetter(DeadLetters.of(record, consumerName, unreadable.reason()));
        }
        // NotMine: another node's command on the shared partition; its own agent deals with it.
    }

    /**
     * The span of carrying out a traced command: a launch's stays open until its task runs or ends
     * ({@link LaunchSpans}); any other command's ends once handed over.
     */
    private Span span(ConsumerRecord<String, byte[]> record, NodeCommand command) {
        boolean launch = command instanceof LaunchTask;
        Span span = tracing.continueFrom(record, launch ? "launch task" : "carry out " + command.getClass().getSimpleName(),
                SpanKind.CONSUMER);
        if (!span.getSpanContext().isValid()) {
            return span;
        }
        span.setAttribute("berth.node.id", nodeId);
        if (command.taskId() != null) {
            span.setAttribute("berth.task.id", command.taskId());
        }
        if (launch) {
            span.setAttribute("berth.app.id", ((LaunchTask) command).appId());
            launches.launching(command.taskId(), span);
        }
        return span;
    }

    /**
     * Lets {@code watcher} bind this consumer's own Kafka metrics (its lag among them) for as long as it
     * reads; the binding is closed before the consumer is.
     */
    public void watchedBy(Function<KafkaConsumer<String, byte[]>, AutoCloseable> watcher) {
        watch.bind(consumer, watcher);
    }

    /** Stops reading; commands already handed over carry on. */
    @Override
    public void close() throws InterruptedException {
        watch.close();
        loop.close();
    }
}
