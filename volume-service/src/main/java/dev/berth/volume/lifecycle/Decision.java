package dev.berth.volume.lifecycle;

import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;

import java.util.List;

/** What {@link VolumeLifecycle} decided a command (or a driver's result) does to a volume. */
public sealed interface Decision {

    /**
     * The volume changes, in one or more steps applied in order in one transaction; each step is a
     * history row, and an event when {@link Step#announced()}.
     *
     * @param followUp what the volume service's driver does once the steps are committed
     */
    record Change(List<Step> steps, FollowUp followUp) implements Decision {
        public Change {
            steps = List.copyOf(steps);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a change has at least one step");
            }
        }

        public VolumeSnapshot last() {
            return steps.get(steps.size() - 1).after();
        }
    }

    /**
     * Nothing changes, but the command is answered with an event carrying the volume as it is (a
     * refusal, or an attachment already in force announced again) and recorded in its history.
     */
    record Answer(VolumeEvent.Kind kind, String nodeId, String taskId, String reason) implements Decision {
    }

    /** Nothing changes and nothing is announced: the command does not concern the volume as it is. */
    record Unchanged(String why) implements Decision {
    }

    /**
     * One change of state.
     *
     * @param kind      the event kind it is announced (or, unannounced, recorded in history) as
     * @param from      the state before; null when the step creates the volume
     * @param after     the volume after the step (its version is the store's business)
     * @param announced false for an intermediate step no one outside needs to see
     */
    record Step(VolumeEvent.Kind kind, VolumeState from, VolumeSnapshot after, String nodeId, String taskId,
                String reason, boolean announced) {
    }

    /** Work for the driver after the change committed. */
    enum FollowUp {
        NONE,
        /** Provision the storage, then report ATTACHED (or the failure). */
        PROVISION,
        /** Destroy the data of a volume now DELETED. */
        DESTROY
    }
}
