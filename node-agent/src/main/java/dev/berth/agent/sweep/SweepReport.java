package dev.berth.agent.sweep;

import java.time.Instant;
import java.util.List;

/**
 * What the agent's sweeps have found since it started, for {@code GET /v1/agent/strays}: a node where
 * {@code straysKilled} grows is one where something escapes the agent's account of its tasks.
 *
 * @param sweeps       how many sweeps ran
 * @param lastSweepAt  when the last one ran (null before the first)
 * @param straysKilled how many stray processes they killed in all
 * @param recent       the last strays found, oldest first (at most {@link StraySweep#RECENT})
 */
public record SweepReport(long sweeps, Instant lastSweepAt, long straysKilled, List<Stray> recent) {
    public SweepReport {
        recent = List.copyOf(recent);
    }
}
