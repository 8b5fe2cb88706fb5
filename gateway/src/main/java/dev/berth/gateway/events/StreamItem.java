package dev.berth.gateway.events;

/** What one reader's stream carries: events, and notes for the reader (sent as SSE comments). */
public sealed interface StreamItem {
    /** An event of {@code berth.events} at {@code offset}; {@code json} is the CloudEvent on one line. */
    record Published(long offset, String type, String json) implements StreamItem {
    }

    /** Something the reader should know about its stream, such as where it starts. */
    record Note(String text) implements StreamItem {
    }
}
