package dev.berth.contracts.messages;

import java.time.Instant;

/**
 * The scheduler's answer to one {@link AppCommand}, on {@code berth.command-replies} keyed by the
 * command's id. Written by the active scheduler in the same transaction as the change it reports (so
 * a reader with read_committed sees an ACCEPTED only once the change is on {@code berth.apps}); read by
 * the gateway, which waits for it to answer the request that sent the command (201/200, 404, 409, 422).
 * Every command the active scheduler handles gets exactly one reply; a standby writes none.
 *
 * @param correlationId the command's id, as {@code commandId}
 * @param commandId     the id of the command answered: the key the gateway waits on
 * @param appId         the app the command was about
 * @param outcome       accepted, or the kind of refusal
 * @param reason        for a refusal, a sentence an operator can act on; for an acceptance a short note
 *                      (e.g. "created version 1"), or null
 * @param appVersion    the app's version after the command (the new one if it made one); 0 when the
 *                      app does not exist
 */
public record CommandReply(String id, int schemaVersion, Instant occurredAt, String correlationId,
                           String commandId, String appId, Outcome outcome, String reason,
                           long appVersion) implements Message {

    /** What became of a command. */
    public enum Outcome {
        /** Done, or under way: the app's state says so at {@code appVersion}. */
        ACCEPTED,
        /** No such app (or no such running task of it). */
        NOT_FOUND,
        /** The app's state forbids it now: it exists already, is being deleted, or is at another version. */
        CONFLICT,
        /** The request can never be carried out as asked (e.g. a stateful app's volumes changed). */
        INVALID
    }

    public static CommandReply accepted(AppCommand command, long appVersion, String note) {
        return of(command, Outcome.ACCEPTED, note, appVersion);
    }

    public static CommandReply notFound(AppCommand command, String reason) {
        return of(command, Outcome.NOT_FOUND, reason, 0);
    }

    public static CommandReply conflict(AppCommand command, long appVersion, String reason) {
        return of(command, Outcome.CONFLICT, reason, appVersion);
    }

    public static CommandReply invalid(AppCommand command, long appVersion, String reason) {
        return of(command, Outcome.INVALID, reason, appVersion);
    }

    public static CommandReply of(AppCommand command, Outcome outcome, String reason, long appVersion) {
        return new CommandReply(Ids.newId(), SCHEMA_VERSION, Instant.now(), command.id(), command.id(),
                command.appId(), outcome, reason, appVersion);
    }

    /** True when the command was carried out (or is under way). */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
