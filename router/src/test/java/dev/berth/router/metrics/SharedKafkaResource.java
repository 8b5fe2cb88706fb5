package dev.berth.router.metrics;

import dev.berth.testkit.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * The shared test broker, with none of Berth's topics made beforehand: the router, started first, makes
 * those it follows (it must become ready all the same).
 */
public class SharedKafkaResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        String bootstrap = SharedInfra.kafka().bootstrapServers();
        return Map.of("kafka.bootstrap.servers", bootstrap);
    }

    @Override
    public void stop() {
        // shared per JVM: see SharedInfra
    }
}
