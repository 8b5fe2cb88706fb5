package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.CreateApp;
import dev.berth.contracts.messages.DeleteApp;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.testkit.FreePorts;
import dev.berth.testkit.KafkaBroker;
import dev.berth.testkit.SharedInfra;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmarks of the scheduler through the real broker, against simulated agents (no processes):
 * <ol>
 *   <li>throughput: many tasks onto thousands of nodes, submit → RUNNING rate and latency;</li>
 *   <li>node failure: nodes go silent; time from their last heartbeat to every replacement RUNNING.</li>
 * </ol>
 * Not part of {@code verify}; run one with
 * {@code bench/run SchedulerThroughputBench#throughput} (builds and packages what it needs). Sizes come from system properties ({@code bench.nodes},
 * {@code bench.tasks}, {@code bench.rate}). Figures go to stdout and {@code docs/benchmarks.md}.
 * Only correctness is asserted: timings on a shared machine are reported, not judged.
 */
class SchedulerThroughputBench {
    private final KafkaBroker kafka = SharedInfra.kafka();

    @Test
    void throughput() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 5000);
        int tasks = Integer.getInteger("bench.tasks", 100_000);
        int perApp = 100;
        int rate = Integer.getInteger("bench.rate", 5000); // tasks submitted per second
        int apps = tasks / perApp;

        try (ServiceProcess scheduler = startScheduler("10s");
             SimulatedAgents agents = new SimulatedAgents(kafka.bootstrapServers(), nodes, Duration.ofSeconds(3));
             TaskWatch watch = new TaskWatch(kafka.bootstrapServers());
             KafkaProducer<String, byte[]> producer = producer()) {
            // Warm up and make sure every node is known: one instance per node, hostname UNIQUE.
            String warmup = "/bench/warmup";
            submit(producer, app(warmup, nodes, "[[\"hostname\", \"UNIQUE\"]]"), watch);
            watch.awaitRunning(warmup, nodes, Duration.ofMinutes(3));
            // Then the same load for a while, unmeasured, so the scheduler's JIT has compiled the hot
            // paths and the figures are those of a steady state ("sustained").
            int warmupApps = Integer.getInteger("bench.warmupTasks", 20_000) / perApp;
            submitAtRate(producer, watch, "/bench/warm-", warmupApps, perApp, rate);
            for (int a = 0; a < warmupApps; a++) {
                watch.awaitRunning("/bench/warm-" + a, perApp, Duration.ofMinutes(5));
            }

            double cpuBefore = cpuSeconds(scheduler.pid());
            long start = System.nanoTime();
            submitAtRate(producer, watch, "/bench/app-", apps, perApp, rate);
            long submitted = System.nanoTime();
            for (int a = 0; a < apps; a++) {
                watch.awaitRunning("/bench/app-" + a, perApp, Duration.ofMinutes(5));
            }
            double schedulerCpu = cpuSeconds(scheduler.pid()) - cpuBefore;
            List<Long> latencies = watch.latenciesMillis(a -> a.startsWith("/bench/app-"));
            assertEquals(tasks, latencies.size());
            assertEquals(tasks, watch.distinctTasks(a -> a.startsWith("/bench/app-")), "no task id twice");
            long lastRunning = watch.lastRunningNanos();
            double seconds = (lastRunning - start) / 1e9;
            System.out.printf("%n== scheduler throughput: %d tasks (%d apps × %d), %d simulated nodes ==%n",
                    tasks, apps, perApp, nodes);
            System.out.printf("offered %d tasks/s; submitting took %.1f s%n", rate, (submitted - start) / 1e9);
            System.out.printf("first submit → last RUNNING: %.1f s = %.0f tasks/s%n", seconds, tasks / seconds);
            System.out.printf("submit → RUNNING latency: p50 %d ms, p99 %d ms, max %d ms%n",
                    percentile(latencies, 50), percentile(latencies, 99), latencies.get(latencies.size() - 1));
            System.out.printf("scheduler CPU: %.1f s for %d tasks = %.0f tasks per CPU-second "
                    + "(heartbeats of %d nodes included)%n", schedulerCpu, tasks, tasks / schedulerCpu, nodes);
        }
    }

    @Test
    void nodeFailure() throws Exception {
        int nodes = Integer.getInteger("bench.nodes", 50);
        int tasks = Integer.getInteger("bench.tasks", 1000);
        int killed = Integer.getInteger("bench.killed", 10);
        try (ServiceProcess scheduler = startScheduler("5s");
             SimulatedAgents agents = new SimulatedAgents(kafka.bootstrapServers(), nodes, Duration.ofSeconds(1));
             TaskWatch watch = new TaskWatch(kafka.bootstrapServers());
             KafkaProducer<String, byte[]> producer = producer()) {
            // Every node known first (one instance on each), so the app spreads over all of them.
            String warmup = "/bench/nodes-known";
            submit(producer, app(warmup, nodes, "[[\"hostname\", \"UNIQUE\"]]"), watch);
            watch.awaitRunning(warmup, nodes, Duration.ofMinutes(1));
            producer.send(new ProducerRecord<>(Topics.APP_COMMANDS.name(), warmup,
                    JsonCodec.encodeBytes(DeleteApp.of(warmup))));

            String appId = "/bench/resilient";
            submit(producer, app(appId, tasks, "[]"), watch);
            watch.awaitRunning(appId, tasks, Duration.ofMinutes(2));

            // When 10 nodes die at once
            List<String> victims = agents.nodeIds().subList(0, killed);
            victims.forEach(agents::silence);
            int lostTasks = victims.stream().mapToInt(agents::runningOn).sum();
            long lastWord = victims.stream().map(agents::lastHeartbeat).mapToLong(i -> i.toEpochMilli()).max()
                    .orElseThrow();

            // Then every task they ran is replaced on the survivors
            watch.awaitReplaced(appId, tasks, Set.copyOf(victims), Duration.ofSeconds(60));
            long recovered = watch.lastRunningEpochMillis();
            System.out.printf("%n== node failure: %d tasks on %d simulated nodes, %d nodes killed (%d tasks lost) ==%n",
                    tasks, nodes, killed, lostTasks);
            System.out.printf("last heartbeat → all replacements RUNNING: %d ms (node timeout 5 s)%n",
                    recovered - lastWord);
        }
    }

    /** Submits apps of {@code perApp} instances on a fixed schedule, {@code rate} tasks a second. */
    private static void submitAtRate(KafkaProducer<String, byte[]> producer, TaskWatch watch, String prefix, int apps,
                                     int perApp, int rate) {
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L * perApp / rate;
        for (int a = 0; a < apps; a++) {
            // On a schedule, not as fast as possible: the latency measured is under that load.
            long due = start + a * intervalNanos;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            String constraints = switch (a % 4) {
                case 0 -> "[]";
                case 1 -> "[[\"zone\", \"GROUP_BY\"]]";
                case 2 -> "[[\"rack\", \"LIKE\", \"r[0-3][0-9]\"]]";
                default -> "[[\"hostname\", \"MAX_PER\", \"3\"]]";
            };
            submit(producer, app(prefix + a, perApp, constraints), watch);
        }
        producer.flush();
    }

    private ServiceProcess startScheduler(String nodeTimeout) {
        return ServiceProcess.start("bench-scheduler", "scheduler-service", FreePorts.next(),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "BERTH_SCHEDULER_NODE_TIMEOUT", nodeTimeout),
                jvmOptions());
    }

    /** The scheduler gets room and a throughput collector; {@code bench.jvm} adds options (e.g. a JFR recording). */
    private static List<String> jvmOptions() {
        List<String> options = new ArrayList<>(List.of("-Xmx2g", "-XX:+UseParallelGC"));
        String extra = System.getProperty("bench.jvm", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return options;
    }

    private static AppDefinition app(String id, int instances, String constraints) {
        ParsedApp parsed = AppDefinitionParser.parse("""
                {"id": "%s", "cmd": "sleep 3600", "instances": %d, "cpus": 0.01, "mem": 1,
                 "constraints": %s}""".formatted(id, instances, constraints));
        if (parsed instanceof ParsedApp.Invalid invalid) {
            throw new IllegalArgumentException(invalid.errors().toString());
        }
        return ((ParsedApp.Valid) parsed).app();
    }

    private static void submit(KafkaProducer<String, byte[]> producer, AppDefinition app, TaskWatch watch) {
        watch.submitted(app.id());
        producer.send(new ProducerRecord<>(Topics.APP_COMMANDS.name(), app.id(), JsonCodec.encodeBytes(CreateApp.of(app))));
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /** CPU time (user + system) a process has used so far, from /proc (Linux). */
    private static double cpuSeconds(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "(comm) ".
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /**
     * Follows {@code berth.tasks} on its own thread, so that a task is timed when its record
     * arrives, and notes when each task was first seen RUNNING.
     */
    static final class TaskWatch implements AutoCloseable {
        private final Map<String, Long> submittedAt = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Map<String, TaskRecord>> running = new HashMap<>();
        private final Map<String, Long> latency = new HashMap<>();
        private final TopicFollower follower;
        private long lastRunningNanos;
        private long lastRunningEpochMillis;

        TaskWatch(String bootstrap) {
            follower = new TopicFollower(bootstrap, Topics.TASKS.name(), Duration.ofMillis(50), "task-watch", (records, readAt) -> {
                // Only the handling holds the lock, never the waiting poll, so that readers are not starved.
                synchronized (this) {
                    apply(records, readAt);
                }
            });
        }

        void submitted(String appId) {
            submittedAt.put(appId, System.nanoTime());
        }

        private void apply(Iterable<ConsumerRecord<String, byte[]>> records, long now) {
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.value() == null) {
                    running.values().forEach(m -> m.remove(record.key()));
                    continue;
                }
                TaskRecord task = JsonCodec.decode(record.value(), TaskRecord.class);
                Map<String, TaskRecord> ofApp = running.computeIfAbsent(task.appId(), a -> new HashMap<>());
                if (task.state().isActive()) {
                    if (!latency.containsKey(task.taskId()) && submittedAt.containsKey(task.appId())) {
                        latency.put(task.taskId(), (now - submittedAt.get(task.appId())) / 1_000_000);
                        lastRunningNanos = now;
                        lastRunningEpochMillis = System.currentTimeMillis();
                    }
                    ofApp.put(task.taskId(), task);
                } else {
                    ofApp.remove(task.taskId());
                }
            }
        }

        void awaitRunning(String appId, int count, Duration deadline) {
            try {
                awaitUntil(() -> running.getOrDefault(appId, Map.of()).size() >= count, appId + " running", deadline);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                synchronized (this) {
                    throw new AssertionError(appId + ": " + running.getOrDefault(appId, Map.of()).size() + " of "
                            + count + " running after " + deadline, e);
                }
            }
        }

        void awaitReplaced(String appId, int count, Set<String> deadNodes, Duration deadline) {
            awaitUntil(() -> {
                Map<String, TaskRecord> tasks = running.getOrDefault(appId, Map.of());
                return tasks.size() >= count && tasks.values().stream().noneMatch(t -> deadNodes.contains(t.nodeId()));
            }, appId + " replaced", deadline);
        }

        private void awaitUntil(java.util.function.BooleanSupplier done, String what, Duration deadline) {
            Awaitility.await(what).atMost(deadline).pollInterval(Duration.ofMillis(20)).until(() -> {
                synchronized (this) {
                    return done.getAsBoolean();
                }
            });
        }

        synchronized List<Long> latenciesMillis(java.util.function.Predicate<String> apps) {
            List<Long> values = new ArrayList<>();
            running.forEach((app, tasks) -> {
                if (apps.test(app)) {
                    tasks.keySet().forEach(t -> values.add(latency.get(t)));
                }
            });
            Collections.sort(values);
            return values;
        }

        synchronized int distinctTasks(java.util.function.Predicate<String> apps) {
            Set<String> ids = new HashSet<>();
            running.forEach((app, tasks) -> {
                if (apps.test(app)) {
                    ids.addAll(tasks.keySet());
                }
            });
            return ids.size();
        }

        synchronized long lastRunningNanos() {
            return lastRunningNanos;
        }

        synchronized long lastRunningEpochMillis() {
            return lastRunningEpochMillis;
        }

        @Override
        public void close() {
            follower.close();
        }
    }
}
