package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Continue a deployment paused with healthy canaries ({@code POST /v1/deployments/{id}/promote}).
 * Refused (CONFLICT) unless it is PAUSED; NOT_FOUND when the app has no such deployment.
 */
public record PromoteDeployment(String id, int schemaVersion, Instant occurredAt, String correlationId,
                                String appId, String deploymentId) implements AppCommand {

    public static PromoteDeployment of(String appId, String deploymentId) {
        return new PromoteDeployment(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, deploymentId);
    }
}
