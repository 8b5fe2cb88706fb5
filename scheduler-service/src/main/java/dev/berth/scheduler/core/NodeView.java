package dev.berth.scheduler.core;

import dev.berth.contracts.messages.NodeReport;

import java.time.Duration;
import java.time.Instant;

/** What the scheduler knows of a node: its latest report and when it was last heard from. */
public record NodeView(NodeReport report, Instant lastSeen) {
    public String nodeId() {
        return report.nodeId();
    }

    /** A node is reachable while its last heartbeat is younger than the timeout. */
    public boolean reachable(Instant now, Duration timeout) {
        return lastSeen.plus(timeout).isAfter(now);
    }
}
