package dev.berth.contracts.app;

/** How an instance is run. Only {@code MESOS} (Berth's own process runtime) exists so far. */
public record Container(String type) {
    public static final Container MESOS = new Container("MESOS");
}
