package dev.berth.contracts.messages;

import dev.berth.contracts.app.AppDefinition;

import java.time.Instant;
import java.util.Map;

/**
 * The accepted desired state of one app, on the compacted {@code berth.apps} keyed by app id.
 * Written only by the scheduler; read by the gateway (its view) and by a scheduler that takes
 * over. {@code version} grows by one with every accepted change. While {@code deleting} is true
 * the app's tasks are being stopped; once they are gone the scheduler writes a tombstone.
 *
 * @param configVersion the oldest app version a task may have been launched for and still count as
 *                      current. A change that needs fresh tasks (a restart) raises it to the new
 *                      version, so the scheduler replaces older tasks even after a failover; a scale
 *                      raises only {@code version}. 0 in records written before it existed.
 * @param wipe          with {@code deleting}: the app's volumes are to be destroyed, not only released
 * @param generations   identity → how many times it was given fresh volumes (a replacement); an
 *                      identity not listed has generation 0. Kept here so that a scheduler that
 *                      takes over before the replacement's first task is placed still knows it.
 * @param sameConfigVersions app versions below {@code configVersion} whose tasks count as current all
 *                      the same: versions whose definition runs like this one (a rollback brings an
 *                      earlier definition back as a new version, and the tasks still running it must not
 *                      be restarted). So a task is current when {@code appVersion >= configVersion} or its
 *                      version is listed here. Empty in records written before it existed; cleared by
 *                      the next change that needs fresh tasks.
 */
public record AppState(String id, int schemaVersion, Instant occurredAt, String correlationId,
                       String appId, long version, AppDefinition definition, boolean deleting,
                       long configVersion, boolean wipe, Map<String, Integer> generations,
                       java.util.List<Long> sameConfigVersions) implements Message {

    public AppState {
        generations = generations == null ? Map.of() : Map.copyOf(generations);
        sameConfigVersions = sameConfigVersions == null ? java.util.List.of()
                : java.util.List.copyOf(new java.util.TreeSet<>(sameConfigVersions));
    }

    /** A state without versions sharing its config (the shape before rollbacks existed). */
    public AppState(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                    long version, AppDefinition definition, boolean deleting, long configVersion, boolean wipe,
                    Map<String, Integer> generations) {
        this(id, schemaVersion, occurredAt, correlationId, appId, version, definition, deleting, configVersion,
                wipe, generations, java.util.List.of());
    }

    /** Whether a task launched for {@code appVersion} runs this state's config (else it is to be replaced). */
    public boolean isCurrent(long appVersion) {
        return appVersion >= configVersion || sameConfigVersions.contains(appVersion);
    }

    /** A state without wipe and replacements (records written before they existed read the same). */
    public AppState(String id, int schemaVersion, Instant occurredAt, String correlationId, String appId,
                    long version, AppDefinition definition, boolean deleting, long configVersion) {
        this(id, schemaVersion, occurredAt, correlationId, appId, version, definition, deleting, configVersion,
                false, Map.of());
    }

    /** A newly created app: version 1, every task current. */
    public static AppState of(AppDefinition definition, long version, boolean deleting, String correlationId) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), correlationId, definition.id(), version,
                definition, deleting, version, false, Map.of());
    }

    /** The next version with another definition (a scale); tasks stay current. */
    public AppState scaled(AppDefinition newDefinition, String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, newDefinition,
                deleting, configVersion, wipe, generations, sameConfigVersions);
    }

    /** The next version, whose tasks must all be fresh (a restart). */
    public AppState restarted(String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, definition,
                deleting, version + 1, wipe, generations);
    }

    /**
     * The next version with a replaced definition (an update). A change of only {@code instances} keeps
     * every task current, as a scale does; any other change makes every task outdated, so they are all
     * replaced one after another, as in a restart.
     */
    public AppState updated(AppDefinition newDefinition, String cause) {
        // The upgrade strategy changes how a change rolls out, not what a task runs: like instances, no restart.
        boolean onlyInstances = newDefinition.runsLike(definition);
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, newDefinition,
                deleting, onlyInstances ? configVersion : version + 1, wipe, generations,
                onlyInstances ? sameConfigVersions : java.util.List.of());
    }

    /**
     * The next version with an earlier definition brought back (a rollback). Tasks launched for
     * {@code runningAlike} (versions whose definition runs like {@code restored}) stay current; every
     * other task is replaced. Versions only grow: the old version is never reused.
     */
    public AppState rolledBack(AppDefinition restored, java.util.Collection<Long> runningAlike, String cause) {
        java.util.List<Long> alike = runningAlike.stream().filter(v -> v <= version).toList();
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, restored,
                deleting, version + 1, wipe, generations, alike);
    }

    /** The next version, marked for deletion; its volumes kept (released). */
    public AppState deleted(String cause) {
        return deleted(false, cause);
    }

    /** The next version, marked for deletion; with {@code wipeVolumes} its volumes destroyed with it. */
    public AppState deleted(boolean wipeVolumes, String cause) {
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, definition,
                true, configVersion, wipeVolumes, generations, sameConfigVersions);
    }

    /** The next version, with {@code identity} given fresh volumes: its generation one higher. */
    public AppState replacing(String identity, String cause) {
        Map<String, Integer> next = new java.util.HashMap<>(generations);
        next.merge(identity, 1, Integer::sum);
        return new AppState(Ids.newId(), SCHEMA_VERSION, Instant.now(), cause, appId, version + 1, definition,
                deleting, configVersion, wipe, next, sameConfigVersions);
    }

    /** The generation of an identity's volumes: 0 until it is first replaced. */
    public int generation(String identity) {
        return generations.getOrDefault(identity, 0);
    }
}
