package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;

/** Run this new app. The definition has already passed {@link dev.berth.contracts.app.AppDefinitionParser}. */
public record CreateApp(String id, int schemaVersion, Instant occurredAt, String correlationId,
                        AppDefinition app) implements AppCommand {

    public static CreateApp of(AppDefinition app) {
        return new CreateApp(Ids.newId(), SCHEMA_VERSION, Instant.now(), null, app);
    }

    @Override
    public String appId() {
        return app.id();
    }
}
