package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;

/**
 * One accepted version of an app's definition, on the compacted {@code berth.app-versions} keyed by
 * {@code appId + "@" + version} ({@link dev.berth.contracts.Topics#appVersionKey}). Written by the
 * scheduler in the same transaction as the {@link AppState} of that version, one per version (none
 * for the version that marks the app deleted); it keeps the latest 50 per app and tombstones the
 * others, and all of them once the app is gone. Read by the gateway for
 * {@code GET /v1/apps/{id}/versions}; deployments and rollbacks (issue 7) will read old definitions
 * from it.
 *
 * @param correlationId the command (or other cause) that made this version; null when none
 * @param change        what made this version: {@code created}, {@code updated}, {@code scaled},
 *                      {@code restarted}, {@code replaced} (an identity given fresh volumes) or
 *                      {@code rolled-back} (an earlier definition brought back)
 * @param definition    the app's definition at this version
 */
public record AppVersion(String id, int schemaVersion, Instant occurredAt, String correlationId,
                         String appId, long version, String change, AppDefinition definition) implements Message {

    public static final String CREATED = "created";
    public static final String UPDATED = "updated";
    public static final String SCALED = "scaled";
    public static final String RESTARTED = "restarted";
    public static final String REPLACED = "replaced";
    /** An earlier definition brought back (a rollback, manual or automatic): a new version, never an old one reused. */
    public static final String ROLLED_BACK = "rolled-back";

    /** The version {@code state} is, made by {@code change}. */
    public static AppVersion of(AppState state, String change) {
        return new AppVersion(Ids.newId(), SCHEMA_VERSION, state.occurredAt() == null ? Instant.now()
                : state.occurredAt(), state.correlationId(), state.appId(), state.version(), change,
                state.definition());
    }
}
