package dev.berth.scheduler.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.kafka.TopicHandlers;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.scheduler.core.Action;
import dev.berth.scheduler.core.SchedulerCore;
import dev.berth.scheduler.metrics.SchedulerMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The consume-transform-produce loop of one leader session: it feeds the rebuilt {@link SchedulerCore}
 * app commands, task status, node reports, node admin commands and volume events, and commits what it
 * decides.
 *
 * <p>Why it is built this way: each batch is one Kafka transaction. The state records, node commands,
 * volume commands, the public events announcing the changes, the replies to app commands and the apps'
 * versions, dead letters and the input offsets commit together, so a crash either replays a whole
 * batch or none of it, and no command is acted on twice. If a commit fails the exception ends the
 * session and the state is rebuilt from Kafka, because the in-memory state may be ahead of what was
 * committed. One instance serves one session (one leader term): the offsets it remembers as committed
 * are only ever those of its own transactions.
 *
 * <p>Traces: an input whose record carries a trace context is decided in a span of that trace, and
 * everything decided on it carries that span on ({@link RecordTracing}); a tick that launches or
 * announces something (a node lost, its tasks replaced) starts a trace of its own. Those spans end when
 * their batch's transaction has committed, so a span's length is the input's wait in the batch, its
 * decision and the commit.
 */
public final class SchedulerLoop {
    private static final Logger LOG = Logger.getLogger(SchedulerLoop.class);
    /** The consumer named in the headers of what the scheduler dead-letters. */
    public static final String CONSUMER_NAME = "scheduler";
    /** At most this many input records go into one transaction. */
    private static final int MAX_BATCH = 5000;

    private final SchedulerConfig config;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> kafka;
    private final SchedulerCore core;
    private final TopicHandlers handlers;
    private final SchedulerMetrics metrics;
    private final RecordTracing tracing;
    /** The spans of the batch in hand, ended once it committed. */
    private final List<Span> batchSpans = new ArrayList<>();
    /** What the core decided on the input being handled. */
    private List<Action> decided = List.of();
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    private List<TopicPartition> inputs = List.of();

    /**
     * @param producer a producer of this session whose transactions are initialised (the previous
     *                 leader fenced)
     * @param kafka    the session's consumer, positioned by the rebuild
     * @param core     the state the rebuild restored
     * @param metrics  told what each batch decided and committed, and counts the state between batches
     * @param tracing  continues the traces inputs carry
     */
    public SchedulerLoop(SchedulerConfig config, KafkaProducer<String, byte[]> producer,
                         KafkaConsumer<String, byte[]> kafka, SchedulerCore core, SchedulerMetrics metrics,
                         RecordTracing tracing) {
        this.config = config;
        this.tracing = tracing;
        this.metrics = metrics;
        this.producer = producer;
        this.kafka = kafka;
        this.core = core;
        this.handlers = inputHandlers();
    }

    /**
     * Switches the consumer to its inputs: commands and status from committed offsets; node reports,
     * node admin commands and volume events onward from where the rebuild stopped. Offsets of
     * commands, status and volume events are committed with each batch.
     */
    public void assignInputs(Map<TopicPartition, Long> livePositions) {
        List<TopicPartition> inputs = new ArrayList<>();
        for (String topic : List.of(Topics.APP_COMMANDS.name(), Topics.TASK_STATUS.name(),
                Topics.VOLUME_EVENTS.name())) {
            kafka.partitionsFor(topic).forEach(p -> inputs.add(new TopicPartition(topic, p.partition())));
        }
        Set<TopicPartition> all = new LinkedHashSet<>(inputs);
        all.addAll(livePositions.keySet());
        kafka.assign(all);
        livePositions.forEach(kafka::seek);
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(inputs));
        for (TopicPartition tp : inputs) {
            OffsetAndMetadata offset = committed.get(tp);
            if (livePositions.containsKey(tp)) {
                // Volume events: positioned by the rebuild already.
                if (offset != null) {
                    lastCommitted.put(tp, offset.offset());
                }
            } else if (offset == null) {
                kafka.seekToBeginning(List.of(tp));
            } else {
                kafka.seek(tp, offset.offset());
                lastCommitted.put(tp, offset.offset());
            }
        }
        this.inputs = inputs;
    }

    /** Commits records (the rebuild's dead letters) in a transaction of their own, with no offsets. */
    public void commitAlone(List<ProducerRecord<String, byte[]>> records) {
        commit(records, Map.of());
    }

    /**
     * Decides and commits batch after batch while {@code running} and {@code leads} hold. Deposed while
     * deciding, it drops the batch in hand uncommitted.
     *
     * @param running false once the process shuts down
     * @param leads   false once this process no longer leads in the session's term
     */
    public void run(BooleanSupplier running, BooleanSupplier leads) {
        Instant nextTick = Instant.now();
        while (running.getAsBoolean() && leads.getAsBoolean()) {
            List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
            SchedulerMetrics.Batch batch = metrics.batch();
            // Under load, gather what arrives within a short window into one transaction: each
            // commit costs the broker markers on every partition written, whatever its size.
            ConsumerRecords<String, byte[]> records = kafka.poll(Duration.ofMillis(100));
            long windowEnd = System.nanoTime() + config.batchWindow().toNanos();
            int handled = 0;
            while (!records.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : records) {
                    handle(record, out, batch);
                }
                handled += records.count();
                if (handled >= MAX_BATCH || System.nanoTime() >= windowEnd || !leads.getAsBoolean()) {
                    break;
                }
                records = kafka.poll(Duration.ofMillis(1));
            }
            Instant now = Instant.now();
            if (!now.isBefore(nextTick)) {
                long began = System.nanoTime();
                List<Action> ticked = core.onTick(now);
                batch.decided(System.nanoTime() - began, ticked);
                Span tick = tickSpan(ticked);
                ticked.forEach(a -> out.add(ActionRecords.toRecord(a, tick)));
                nextTick = now.plus(config.tickInterval());
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : inputs) {
                offsets.put(tp, new OffsetAndMetadata(kafka.position(tp)));
            }
            // Deposed while deciding: drop the batch uncommitted. Its inputs stay unacknowledged, so
            // the next leader decides them again from the state it reads.
            if (!leads.getAsBoolean()) {
                endBatchSpans(StatusCode.ERROR, "deposed before the commit");
                break;
            }
            if (!out.isEmpty() || offsetsMoved(offsets)) {
                long began = System.nanoTime();
                try {
                    commit(latestHistoriesOnly(out), offsets);
                } catch (RuntimeException e) {
                    endBatchSpans(StatusCode.ERROR, "commit failed: " + e);
                    throw e;
                }
                batch.committed(handled, System.nanoTime() - began);
            }
            endBatchSpans(StatusCode.UNSET, null);
            metrics.count(core);
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record, List<ProducerRecord<String, byte[]>> out,
                        SchedulerMetrics.Batch batch) {
        Span span = tracing.continueFrom(record, "decide " + record.topic(), SpanKind.CONSUMER);
        try (Scope ignored = RecordTracing.enter(span)) {
            long began = System.nanoTime();
            handlers.handle(record);
            batch.decided(System.nanoTime() - began, decided);
            decided.forEach(a -> out.add(ActionRecords.toRecord(a, span)));
        } catch (MalformedMessageException e) {
            span.setStatus(StatusCode.ERROR, "dead-lettered: " + e.getMessage());
            LOG.warnf("dead-lettering %s[%d]@%d: %s", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            out.add(DeadLetters.of(record, CONSUMER_NAME, e.getMessage()));
            batch.deadLettered(record.topic());
        } finally {
            decided = List.of();
            if (span.getSpanContext().isValid()) {
                batchSpans.add(span);
            }
        }
    }

    /**
     * The span a tick's decisions carry: a trace of its own when it launches a task or announces an event
     * (a node lost and its tasks replaced, a backoff ended), none for bookkeeping alone.
     */
    private Span tickSpan(List<Action> ticked) {
        if (!tracing.on()) {
            return Span.getInvalid();
        }
        List<String> events = ticked.stream().filter(Action.Announce.class::isInstance)
                .map(a -> ((Action.Announce) a).event().type()).distinct().toList();
        long launches = ticked.stream().filter(Action.SendToNode.class::isInstance).count();
        if (events.isEmpty() && launches == 0) {
            return Span.getInvalid();
        }
        Span span = tracing.startTrace("scheduler tick");
        if (span.getSpanContext().isValid()) {
            span.setAttribute("berth.events", String.join(",", events));
            span.setAttribute("berth.node_commands", launches);
            batchSpans.add(span);
        }
        return span;
    }

    private void endBatchSpans(StatusCode status, String why) {
        for (Span span : batchSpans) {
            if (status == StatusCode.ERROR) {
                span.setStatus(status, why);
            }
            span.end();
        }
        batchSpans.clear();
    }

    /**
     * What the core is given from each topic the loop reads: each input is decided at the moment it is
     * handled, and what it decided is taken by {@link #handle} for the batch.
     */
    private TopicHandlers inputHandlers() {
        return new TopicHandlers()
                .on(Topics.APP_COMMANDS, command -> {
                    describe(command, "berth.app.id", command.appId());
                    decided = core.onAppCommand(command, Instant.now());
                })
                .on(Topics.TASK_STATUS, status -> {
                    describe(status, "berth.task.state", status.state().name());
                    decided = core.onTaskStatus(status, Instant.now());
                })
                // Reports and drains of nodes: the latest stands, a tombstone changes nothing.
                .on(Topics.NODE_STATUS, report -> decided = core.onNodeReport(report, Instant.now()))
                .on(Topics.NODE_ADMIN, command -> decided = core.onNodeAdmin(command, Instant.now()))
                .on(Topics.VOLUME_EVENTS, event -> decided = core.onVolumeEvent(event, Instant.now()),
                        core.restore()::forgetVolume);
    }

    /** Names the input on its span, when it is traced: what it was, and the one fact a reader looks for. */
    private static void describe(Object message, String attribute, String value) {
        Span span = Span.current();
        if (span.isRecording()) {
            span.setAttribute("berth.message", message.getClass().getSimpleName());
            span.setAttribute(attribute, value);
        }
    }

    /**
     * The batch without task histories a later one in it replaces: an app's history is rewritten with
     * every end, and its compacted topic keeps only the last anyway, so deleting 1000 tasks in one
     * batch writes one history, not 1000.
     */
    static List<ProducerRecord<String, byte[]>> latestHistoriesOnly(List<ProducerRecord<String, byte[]>> out) {
        Set<String> later = new java.util.HashSet<>();
        List<ProducerRecord<String, byte[]>> kept = new ArrayList<>(out.size());
        for (int i = out.size() - 1; i >= 0; i--) {
            ProducerRecord<String, byte[]> record = out.get(i);
            if (!record.topic().equals(Topics.TASK_HISTORY.name()) || later.add(record.key())) {
                kept.add(record);
            }
        }
        java.util.Collections.reverse(kept);
        return kept;
    }

    private boolean offsetsMoved(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (var entry : offsets.entrySet()) {
            if (!Long.valueOf(entry.getValue().offset()).equals(lastCommitted.get(entry.getKey()))) {
                return true;
            }
        }
        return false;
    }

    private void commit(List<ProducerRecord<String, byte[]>> records, Map<TopicPartition, OffsetAndMetadata> offsets) {
        producer.beginTransaction();
        try {
            records.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(config.groupId()));
            }
            producer.commitTransaction();
            offsets.forEach((tp, o) -> lastCommitted.put(tp, o.offset()));
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }
}
