package dev.berth.volume;

import dev.berth.volume.kafka.VolumeKafka;
import dev.berth.volume.lifecycle.AttachRecovery;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Start-up order: Flyway has migrated the schema (before this runs); the recovery finishes what a
 * crash cut short, before any new command is read; then Kafka (topics, relay, consumer). The relay
 * publishes whatever the outbox holds first, the recovery's events included.
 */
@ApplicationScoped
public class ServiceLifecycle {
    @Inject
    AttachRecovery recovery;
    @Inject
    VolumeKafka kafka;

    void onStart(@Observes StartupEvent event) {
        recovery.run();
        kafka.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        kafka.stop();
    }
}
