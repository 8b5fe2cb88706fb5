package dev.berth.scheduler.leader;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready in either steady role: as the active scheduler once its state is rebuilt and commands are
 * being processed, or as a standby once it is a member of the leader group (so an orchestrator or the
 * local run waits for both). Not ready while it joins or while it takes over. The {@code role} data
 * field says which ({@code active}, {@code standby}, {@code activating}, {@code starting}).
 *
 * <p>Why here: it reports the role {@link LeaderSessions} keeps, and a standby is as healthy as the
 * leader; the check keeps its name {@code scheduler-loop}, which operators and tests look for.
 */
@Readiness
@ApplicationScoped
public class SchedulerReadiness implements HealthCheck {
    @Inject
    LeaderSessions sessions;

    @Override
    public HealthCheckResponse call() {
        SchedulerRole role = sessions.role();
        return HealthCheckResponse.named("scheduler-loop")
                .status(role.ready())
                .withData("role", role.label())
                .withData("since", sessions.roleSince().toString())
                .build();
    }
}
