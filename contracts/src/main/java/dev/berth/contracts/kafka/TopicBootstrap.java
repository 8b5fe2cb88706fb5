package dev.berth.contracts.kafka;

import dev.berth.contracts.Topic;
import dev.berth.contracts.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates Berth's topics with their intended layout if they do not exist yet. Every service calls
 * it at start, so no service depends on another having run first, and none relies on broker
 * auto-creation (which would make compacted topics plain ones).
 */
public final class TopicBootstrap {
    private TopicBootstrap() {
    }

    /** Creates the topics with one replica: right for a single broker (tests, the local run). */
    public static void ensureTopics(String bootstrapServers) {
        ensureTopics(bootstrapServers, (short) 1);
    }

    public static void ensureTopics(String bootstrapServers, short replicationFactor) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.catalogue().stream()
                    .filter(spec -> !existing.contains(spec.name()))
                    .map(spec -> newTopic(spec, replicationFactor))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var result : admin.createTopics(missing).values().values()) {
                try {
                    result.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // Another service created it between our list and our create: that is the goal.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create Berth's topics on " + bootstrapServers + ": " + e, e);
        }
    }

    private static NewTopic newTopic(Topic<?, ?> spec, short replicationFactor) {
        NewTopic topic = new NewTopic(spec.name(), spec.partitions(), replicationFactor);
        if (spec.compacted()) {
            topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        return topic;
    }
}
