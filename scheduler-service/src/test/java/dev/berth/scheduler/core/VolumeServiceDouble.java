package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plays the volume service for core tests: carries out volume commands by the rules of
 * docs/volumes.md and answers with the events the real one would publish.
 */
final class VolumeServiceDouble {
    private final Map<String, VolumeSnapshot> volumes = new HashMap<>();
    /** Every command received, in order. */
    final List<VolumeCommand> received = new ArrayList<>();

    /** The events answering every volume command among {@code actions}, in order. */
    /**
     * Feeds this service's answers to {@code core} until it is asked nothing more; every action, in
     * order, starting with {@code actions}.
     */
    List<Action> settle(SchedulerCore core, List<Action> actions, Instant now) {
        List<Action> all = new ArrayList<>(actions);
        List<Action> pending = actions;
        while (true) {
            List<VolumeEvent> events = answer(pending);
            if (events.isEmpty()) {
                return all;
            }
            pending = new ArrayList<>();
            for (VolumeEvent event : events) {
                pending.addAll(core.onVolumeEvent(event, now));
            }
            all.addAll(pending);
        }
    }

    List<VolumeEvent> answer(List<Action> actions) {
        List<VolumeEvent> events = new ArrayList<>();
        for (Action action : actions) {
            if (action instanceof Action.SendToVolumes send) {
                received.add(send.command());
                VolumeEvent event = carryOut(send.command());
                if (event != null) {
                    events.add(event);
                }
            }
        }
        return events;
    }

    VolumeSnapshot get(String volumeId) {
        return volumes.get(volumeId);
    }

    private VolumeEvent carryOut(VolumeCommand command) {
        VolumeSnapshot v = volumes.get(command.volumeId());
        if (command instanceof AttachVolume a) {
            if (v == null) {
                v = new VolumeSnapshot(a.volumeId(), a.name(), a.appId(), a.identity(), a.type(), a.provider(),
                        a.sizeMib(), a.type() == VolumeType.LOCAL ? a.nodeId() : null, VolumeState.AVAILABLE, null,
                        null, 0, 0, Instant.EPOCH);
            }
            boolean sameTask = Objects.equals(v.attachedTaskId(), a.taskId())
                    && Objects.equals(v.attachedNodeId(), a.nodeId()) && v.state() == VolumeState.ATTACHED;
            if (sameTask) {
                return event(VolumeEvent.Kind.ATTACHED, v, a.taskId(), null);
            }
            String refusal = v.state() == VolumeState.DELETED ? "deleted"
                    : v.state() == VolumeState.ATTACHED || v.state() == VolumeState.ATTACHING
                    ? "attached to task " + v.attachedTaskId()
                    : v.nodeId() != null && !v.nodeId().equals(a.nodeId()) ? "lives on node " + v.nodeId() : null;
            if (refusal != null) {
                return event(VolumeEvent.Kind.ATTACH_REFUSED, v, a.taskId(), refusal);
            }
            return put(VolumeEvent.Kind.ATTACHED, with(v, VolumeState.ATTACHED, a.nodeId(), a.taskId(),
                    v.fencingEpoch() + 1), a.taskId(), null);
        }
        if (v == null) {
            return null;
        }
        if (command instanceof DetachVolume d) {
            if (v.state() == VolumeState.ATTACHED && Objects.equals(v.attachedTaskId(), d.taskId())) {
                return put(VolumeEvent.Kind.DETACHED, with(v, VolumeState.AVAILABLE, null, null, v.fencingEpoch()),
                        d.taskId(), null);
            }
            return event(VolumeEvent.Kind.DETACHED, v, d.taskId(), "no change");
        }
        if (command instanceof FenceVolume f) {
            if (Objects.equals(v.attachedNodeId(), f.nodeId())) {
                return put(VolumeEvent.Kind.FENCED, with(v, VolumeState.FENCED, null, null, v.fencingEpoch() + 1),
                        null, f.reason());
            }
            return event(VolumeEvent.Kind.FENCED, v, null, "no change");
        }
        if (command instanceof ReleaseVolume r) {
            return put(VolumeEvent.Kind.RELEASED, with(v, VolumeState.RELEASED, null, null, v.fencingEpoch()), null,
                    r.reason());
        }
        if (command instanceof DeleteVolume d) {
            if (v.state() != VolumeState.RELEASED) {
                return event(VolumeEvent.Kind.DELETE_REFUSED, v, null, "not released");
            }
            return put(VolumeEvent.Kind.DELETED, with(v, VolumeState.DELETED, null, null, v.fencingEpoch()), null,
                    d.reason());
        }
        throw new IllegalArgumentException(command.toString());
    }

    private VolumeEvent put(VolumeEvent.Kind kind, VolumeSnapshot v, String taskId, String reason) {
        volumes.put(v.volumeId(), v);
        return event(kind, v, taskId, reason);
    }

    private static VolumeEvent event(VolumeEvent.Kind kind, VolumeSnapshot v, String taskId, String reason) {
        return VolumeEvent.of(kind, v, taskId, reason, null);
    }

    private static VolumeSnapshot with(VolumeSnapshot v, VolumeState state, String node, String task, long epoch) {
        return new VolumeSnapshot(v.volumeId(), v.name(), v.appId(), v.identity(), v.type(), v.provider(), v.sizeMib(),
                v.nodeId(), state, node, task, epoch, v.version() + 1, Instant.EPOCH);
    }
}
