package dev.berth.router;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the router has read Berth's topics up to where they ended at start, and serves that. */
@Readiness
@ApplicationScoped
public class RouterReadiness implements HealthCheck {
    @Inject
    RouterService router;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("routes-caught-up").status(router.caughtUp()).build();
    }
}
