package dev.berth.volume.history;

import java.time.Instant;

/** One history row as the API shows it. */
public record HistoryJson(long id, String volumeId, String kind, String fromState, String toState, String nodeId,
                          String taskId, long fencingEpoch, String reason, String commandId, Instant at) {
    public static HistoryJson of(VolumeHistory h) {
        return new HistoryJson(h.id, h.volumeId, h.kind, h.fromState, h.toState, h.nodeId, h.taskId, h.fencingEpoch,
                h.reason, h.commandId, h.at);
    }
}
