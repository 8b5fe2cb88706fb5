package dev.berth.agent.api;

import dev.berth.agent.Agent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the node has registered and while it reads its commands. */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {
    @Inject
    Agent agent;

    @Override
    public HealthCheckResponse call() {
        boolean registered = agent.registered();
        boolean reading = agent.readingCommands();
        return HealthCheckResponse.named("node-agent").status(registered && reading)
                .withData("registered", registered).withData("readingCommands", reading).build();
    }
}
