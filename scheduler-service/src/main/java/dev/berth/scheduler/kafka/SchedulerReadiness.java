package dev.berth.scheduler.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the state is rebuilt from Kafka and commands are being processed. */
@Readiness
@ApplicationScoped
public class SchedulerReadiness implements HealthCheck {
    @Inject
    SchedulerLoop loop;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("scheduler-loop").status(loop.ready()).build();
    }
}
