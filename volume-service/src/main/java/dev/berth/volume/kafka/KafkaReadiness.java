package dev.berth.volume.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the topics exist and volume commands are being read. */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    @Inject
    VolumeKafka kafka;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Volume commands").status(kafka.ready()).build();
    }
}
