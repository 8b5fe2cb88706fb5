package dev.berth.contracts.app;

/** Which instances a scale-down stops first (Marathon's {@code killSelection}). */
public enum KillSelection {
    YOUNGEST_FIRST,
    OLDEST_FIRST
}
