package dev.berth.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Quarkus: {@code @QuarkusTestResource(KafkaTestResource.class)} points the service under test at
 * the shared real broker. The broker outlives the Quarkus app (it stops with the JVM), so several
 * test classes share it.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", SharedInfra.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // shared per JVM: see SharedInfra
    }
}
