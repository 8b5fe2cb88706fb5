package dev.berth.gateway;

import dev.berth.gateway.view.ViewFeed;
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
    ViewFeed view;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("view-caught-up").status(view.caughtUp()).build();
    }
}
