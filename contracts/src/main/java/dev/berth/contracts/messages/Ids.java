package dev.berth.contracts.messages;

import java.util.UUID;

/** Fresh message ids. One place, so the format can change without touching every writer. */
public final class Ids {
    private Ids() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }
}
