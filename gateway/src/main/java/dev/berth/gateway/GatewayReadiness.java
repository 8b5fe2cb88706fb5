package dev.berth.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the view has read the state topics up to where they ended at start. */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {
    @Inject
    Kafka kafka;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("view-caught-up").status(kafka.viewCaughtUp()).build();
    }
}
