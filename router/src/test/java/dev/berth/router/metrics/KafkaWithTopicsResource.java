package dev.berth.router.metrics;

import dev.berth.contracts.kafka.TopicBootstrap;
import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * The shared test broker with Berth's topics already made, as a running cluster has them before a router
 * starts: the router reads the topics that exist when it starts and does not make them itself.
 */
public class KafkaWithTopicsResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        TopicBootstrap.ensureTopics(bootstrap);
        return Map.of("kafka.bootstrap.servers", bootstrap);
    }

    @Override
    public void stop() {
        // shared per JVM: see SharedInfra
    }
}
