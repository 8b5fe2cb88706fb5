package dev.berth.agent.api;

import dev.berth.agent.Agent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the node has registered and reads its commands. */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {
    @Inject
    Agent agent;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("node-registered").status(agent.registered()).build();
    }
}
