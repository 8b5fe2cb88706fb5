package dev.berth.contracts.app;

/**
 * Marathon's {@code persistent} block: a local volume on the node the instance was first placed on.
 * Marathon's disk types {@code root}, {@code path} and {@code mount} all mean that here.
 *
 * @param type Marathon's disk type, kept so an exported definition reads back the same
 * @param size MiB
 */
public record PersistentVolume(String type, long size) {
}
