package dev.berth.gateway.events;

/**
 * Where a reader of {@code GET /v1/events} starts: at the end (only events from now on), or right after
 * the offset of the last event it saw, which it names by {@code Last-Event-ID} (an EventSource sends it
 * on every reconnect) or {@code ?since=} (for a client that cannot set headers).
 */
public sealed interface ResumePoint {
    /** Only events published from now on. */
    record AtEnd() implements ResumePoint {
    }

    /** Every event after {@code offset}; -1 means from the earliest the topic still holds. */
    record After(long offset) implements ResumePoint {
    }

    /** A value that names no offset; {@code detail} says why, for a 400. */
    record Invalid(String detail) implements ResumePoint {
    }

    /**
     * The header wins over the query parameter: an EventSource reconnects to the same URL, {@code ?since=}
     * included, and its {@code Last-Event-ID} then names what it saw last, which is later.
     */
    static ResumePoint parse(String lastEventId, String since) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            return offset(lastEventId, "Last-Event-ID");
        }
        if (since != null && !since.isBlank()) {
            return offset(since, "since");
        }
        return new AtEnd();
    }

    private static ResumePoint offset(String value, String name) {
        String text = value.strip();
        try {
            long offset = Long.parseLong(text);
            if (offset >= -1) {
                return new After(offset);
            }
        } catch (NumberFormatException e) {
            // refused below, with the rule
        }
        return new Invalid(name + " must be the id of an event seen before (a decimal offset on berth.events, "
                + "or -1 for the earliest held), not '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                + "'");
    }
}
