package dev.berth.cli.event;

import java.util.function.Consumer;

/**
 * Reads a {@code text/event-stream} line by line and hands on each whole event (its {@code id},
 * {@code event} and {@code data}) at the blank line that ends it, as the HTML standard's parser does;
 * comments ({@code : heartbeat}) are left out.
 */
final class ServerSentEvents implements Consumer<String> {
    /** One event of the stream. */
    record Event(String id, String type, String data) {
    }

    private final Consumer<Event> sink;
    private String id;
    private String type;
    private StringBuilder data;

    ServerSentEvents(Consumer<Event> sink) {
        this.sink = sink;
    }

    @Override
    public void accept(String line) {
        if (line.isEmpty()) {
            if (data != null) {
                sink.accept(new Event(id, type == null ? "message" : type, data.toString()));
            }
            type = null;
            data = null;
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "id" -> id = value;
            case "event" -> type = value;
            case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            default -> { }
        }
    }
}
