package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;

/**
 * What carrying out a command (or a driver's result) came to, once committed.
 *
 * @param volume    the volume afterwards; null when there is none
 * @param announced the kind of the last event written to the outbox; null when none was
 * @param reason    a refusal's reason, or why nothing changed
 * @param followUp  the driver's work now due
 */
public record Outcome(Result result, VolumeSnapshot volume, VolumeEvent.Kind announced, String reason,
                      Decision.FollowUp followUp) {

    public enum Result {
        /** The volume changed. */
        CHANGED,
        /** Nothing changed; the command was answered with an event (a refusal, or ATTACHED again). */
        ANSWERED,
        /** Nothing changed and nothing was announced. */
        UNCHANGED,
        /** The command id had been carried out before: nothing at all was done. */
        DUPLICATE
    }

    static Outcome duplicate() {
        return new Outcome(Result.DUPLICATE, null, null, "command carried out before", Decision.FollowUp.NONE);
    }
}
