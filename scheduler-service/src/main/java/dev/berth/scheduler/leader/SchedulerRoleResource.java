package dev.berth.scheduler.leader;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /scheduler/role}: whether this scheduler process is the active one, for operators and
 * tests that need to know which process to stop.
 */
@Path("/scheduler/role")
public class SchedulerRoleResource {
    @Inject
    LeaderSessions sessions;

    /**
     * @param role       {@code active}, {@code standby}, {@code activating} or {@code starting}
     * @param since      when this process took its current role (ISO-8601)
     * @param term       the number of elections this process has won
     * @param generation the leader group's generation at this member's last assignment
     * @param member     this process's member id in the leader group
     * @param pid        this process's id
     * @param sessionTimeoutMs the leader-group session timeout in force (longer than configured when
     *                   the broker refused the configured one): about how long a failover takes
     */
    public record RoleView(String role, String since, long term, int generation, String member, long pid,
                           long sessionTimeoutMs) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public RoleView role() {
        LeaderElector elector = sessions.elector();
        return new RoleView(sessions.role().label(), sessions.roleSince().toString(),
                elector == null ? 0 : elector.term(), elector == null ? -1 : elector.generation(),
                elector == null ? "" : elector.memberId(), ProcessHandle.current().pid(),
                elector == null ? 0 : elector.sessionTimeout().toMillis());
    }
}
