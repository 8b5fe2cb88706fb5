package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * Bring back the definition of an earlier version ({@code POST /v1/apps/{id}/rollback?version=…}) as a
 * new version, rolled out as a deployment (cause {@code rollback}). NOT_FOUND when the app or that
 * version is not kept any more (the scheduler keeps the latest 50 on {@code berth.app-versions});
 * CONFLICT while another deployment runs, unless {@code force}.
 *
 * @param version the app version whose definition to restore (its instance count included)
 * @param force   replace a running deployment instead of being refused
 */
public record RollbackApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                          String appId, long version, boolean force) implements AppCommand {

    public static RollbackApp of(String appId, long version, boolean force) {
        return new RollbackApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, appId, version, force);
    }
}
