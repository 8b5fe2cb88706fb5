package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * End a running or paused deployment and revert it ({@code POST /v1/deployments/{id}/rollback},
 * {@code DELETE /v1/deployments/{id}}): its canaries and new instances are removed and the previous
 * definition comes back as a new app version. CONFLICT when it has already finished; NOT_FOUND when
 * the app has no such deployment.
 */
public record RollbackDeployment(String id, int schemaVersion, Instant occurredAt, String correlationId,
                                 String appId, String deploymentId) implements AppCommand {

    public static RollbackDeployment of(String appId, String deploymentId) {
        return new RollbackDeployment(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, deploymentId);
    }
}
