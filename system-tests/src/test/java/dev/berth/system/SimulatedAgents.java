package dev.berth.system;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.Ids;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.Message;
import dev.berth.contracts.messages.NodeCommand;
import dev.berth.contracts.messages.NodeHeartbeat;
import dev.berth.contracts.messages.NodeResources;
import dev.berth.contracts.messages.PortRange;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Many node agents in one thread pair, for benchmarks of the scheduler: each simulated node
 * registers and heartbeats like a real agent (with its running task ids), and every launch sent to
 * it is acknowledged RUNNING at once, every kill KILLED, without starting a process. A node can be
 * silenced, as if its host died: it stops heartbeating and answering.
 */
final class SimulatedAgents implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final List<String> nodeIds = new ArrayList<>();
    private final Map<String, Set<String>> running = new ConcurrentHashMap<>();
    private final Set<String> silenced = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastHeartbeat = new ConcurrentHashMap<>();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    private final TopicFollower commands;

    SimulatedAgents(String bootstrap, int nodes, Duration heartbeatInterval) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
        for (int i = 0; i < nodes; i++) {
            String nodeId = String.format("sim-%05d", i);
            nodeIds.add(nodeId);
            running.put(nodeId, ConcurrentHashMap.newKeySet());
        }
        heartbeats.scheduleAtFixedRate(this::heartbeatAll, 0, heartbeatInterval.toMillis(), TimeUnit.MILLISECONDS);
        // A launch's latency as the scheduler sees it includes this fetch wait: keep it short.
        commands = new TopicFollower(bootstrap, Topics.NODE_COMMANDS.name(), Duration.ofMillis(50), "simulated-agents",
                (records, readAt) -> answer(records));
    }

    List<String> nodeIds() {
        return List.copyOf(nodeIds);
    }

    /** The node stops heartbeating and answering, as if its host had died. */
    void silence(String nodeId) {
        silenced.add(nodeId);
    }

    /** When the node last heartbeated (for a silenced node: its last word). */
    Instant lastHeartbeat(String nodeId) {
        return lastHeartbeat.get(nodeId);
    }

    int runningOn(String nodeId) {
        return running.get(nodeId).size();
    }

    private void heartbeatAll() {
        for (int i = 0; i < nodeIds.size(); i++) {
            String nodeId = nodeIds.get(i);
            if (silenced.contains(nodeId)) {
                continue;
            }
            // Varied capacities and attributes, as a real pool has: 10 zones, 50 racks.
            NodeHeartbeat heartbeat = new NodeHeartbeat(Ids.newId(), Message.SCHEMA_VERSION, Instant.now(), null,
                    nodeId, nodeId, "127.0.0.1", new NodeResources(16 + (i % 4) * 8, 65536, 500_000),
                    new PortRange(31000, 31999), Map.of("zone", "z" + (i % 10), "rack", "r" + (i % 50)),
                    "best-effort", "http://127.0.0.1:1", List.copyOf(running.get(nodeId)));
            producer.send(new ProducerRecord<>(Topics.NODE_STATUS.name(), nodeId, JsonCodec.encodeBytes(heartbeat)));
            lastHeartbeat.put(nodeId, heartbeat.occurredAt());
        }
        producer.flush();
    }

    private void answer(Iterable<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            NodeCommand command = JsonCodec.decode(record.value(), NodeCommand.class);
            String nodeId = command.nodeId();
            if (!running.containsKey(nodeId) || silenced.contains(nodeId)) {
                continue;
            }
            TaskStatus status;
            if (command instanceof LaunchTask launch) {
                running.get(nodeId).add(launch.taskId());
                status = TaskStatus.of(launch.taskId(), launch.appId(), nodeId, TaskState.RUNNING, null, null,
                        launch.id());
            } else {
                KillTask kill = (KillTask) command;
                running.get(nodeId).remove(kill.taskId());
                status = TaskStatus.of(kill.taskId(), null, nodeId, TaskState.KILLED, kill.reason(), null,
                        kill.id());
            }
            producer.send(new ProducerRecord<>(Topics.TASK_STATUS.name(), status.taskId(), JsonCodec.encodeBytes(status)));
        }
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        commands.close();
        producer.close();
    }
}
