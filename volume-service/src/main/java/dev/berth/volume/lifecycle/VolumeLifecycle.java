package dev.berth.volume.lifecycle;

import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.messages.AttachVolume;
import dev.berth.contracts.messages.DeleteVolume;
import dev.berth.contracts.messages.DetachVolume;
import dev.berth.contracts.messages.FenceVolume;
import dev.berth.contracts.messages.ReleaseVolume;
import dev.berth.contracts.messages.VolumeCommand;
import dev.berth.contracts.messages.VolumeEvent.Kind;
import dev.berth.contracts.messages.VolumeSnapshot;
import dev.berth.contracts.messages.VolumeState;
import dev.berth.contracts.messages.VolumeType;
import dev.berth.volume.lifecycle.Decision.Answer;
import dev.berth.volume.lifecycle.Decision.Change;
import dev.berth.volume.lifecycle.Decision.FollowUp;
import dev.berth.volume.lifecycle.Decision.Step;
import dev.berth.volume.lifecycle.Decision.Unchanged;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The volume state machine of {@code docs/volumes.md}, as plain functions from a volume (null when
 * none is stored) and a command to a {@link Decision}. No storage, no Kafka: the caller applies the
 * decision under optimistic locking, so two decisions taken on the same version cannot both commit.
 *
 * <pre>
 * AVAILABLE ─attach→ ATTACHING ─provisioned→ ATTACHED ─task ended→ DETACHING → AVAILABLE
 * ATTACHED ─holder's node lost and its lease surely over→ FENCED (epoch + 1) ─attach→ ATTACHING
 * AVAILABLE / FENCED / DETACHING… ─identity gone→ RELEASED ─attach (scaled up again)→ ATTACHING
 * RELEASED ─delete or wipe→ DELETED
 * </pre>
 */
public final class VolumeLifecycle {
    /** The driver an external volume gets when its command names none. */
    public static final String DEFAULT_EXTERNAL_PROVIDER = "sharedfs";

    /** States in which a node holds (or is being granted) the volume. */
    private static final Set<VolumeState> HELD =
            EnumSet.of(VolumeState.ATTACHING, VolumeState.ATTACHED, VolumeState.DETACHING);

    private VolumeLifecycle() {
    }

    public static Decision decide(VolumeSnapshot volume, VolumeCommand command) {
        if (command instanceof AttachVolume attach) {
            return attach(volume, attach);
        } else if (command instanceof DetachVolume detach) {
            return detach(volume, detach);
        } else if (command instanceof FenceVolume fence) {
            return fence(volume, fence);
        } else if (command instanceof ReleaseVolume release) {
            return release(volume, release);
        } else if (command instanceof DeleteVolume) {
            return delete(volume);
        }
        throw new IllegalArgumentException("unknown volume command " + command.getClass().getSimpleName());
    }

    /** The driver provisioned the storage of the attachment granted with {@code epoch}: ATTACHED. */
    public static Decision provisioned(VolumeSnapshot volume, long epoch) {
        if (!grantStillPending(volume, epoch)) {
            return new Unchanged("the grant with epoch " + epoch + " is no longer pending");
        }
        VolumeSnapshot attached = with(volume, VolumeState.ATTACHED, volume.attachedNodeId(),
                volume.attachedTaskId(), volume.fencingEpoch());
        return one(new Step(Kind.ATTACHED, volume.state(), attached, volume.attachedNodeId(),
                volume.attachedTaskId(), null, true), FollowUp.NONE);
    }

    /**
     * The driver could not provision the storage of the grant with {@code epoch}: the grant is undone
     * (AVAILABLE, the raised epoch kept) and the attach refused, so the scheduler can try again
     * rather than wait for an ATTACHED that will not come.
     */
    public static Decision provisioningFailed(VolumeSnapshot volume, long epoch, String reason) {
        if (!grantStillPending(volume, epoch)) {
            return new Unchanged("the grant with epoch " + epoch + " is no longer pending");
        }
        VolumeSnapshot undone = with(volume, VolumeState.AVAILABLE, null, null, volume.fencingEpoch());
        return one(new Step(Kind.ATTACH_REFUSED, volume.state(), undone, volume.attachedNodeId(),
                volume.attachedTaskId(), reason, true), FollowUp.NONE);
    }

    private static boolean grantStillPending(VolumeSnapshot volume, long epoch) {
        // Anything else means the volume moved on meanwhile (fenced, detached, granted again): the
        // late result of this provisioning must not overwrite that.
        return volume != null && volume.state() == VolumeState.ATTACHING && volume.fencingEpoch() == epoch;
    }

    private static Decision attach(VolumeSnapshot volume, AttachVolume attach) {
        List<Step> steps = new ArrayList<>();
        VolumeSnapshot current = volume;
        if (current == null) {
            current = newVolume(attach);
            steps.add(new Step(Kind.CREATED, null, current, attach.nodeId(), attach.taskId(), null, true));
        } else {
            Optional<String> refusal = attachRefusal(current, attach);
            if (refusal.isPresent()) {
                return new Answer(Kind.ATTACH_REFUSED, attach.nodeId(), attach.taskId(), refusal.get());
            }
            if (current.state() == VolumeState.ATTACHED && attach.nodeId().equals(current.attachedNodeId())
                    && attach.taskId().equals(current.attachedTaskId())) {
                return new Answer(Kind.ATTACHED, attach.nodeId(), attach.taskId(), null);
            }
        }
        // Every grant raises the epoch, also a relaunch on the same node: the task that held it before
        // has ended, and a holder with the older epoch is stale wherever it is.
        VolumeSnapshot granted = with(current, VolumeState.ATTACHING, attach.nodeId(), attach.taskId(),
                current.fencingEpoch() + 1);
        steps.add(new Step(Kind.ATTACHING, current.state(), granted, attach.nodeId(), attach.taskId(), null, true));
        return new Change(steps, FollowUp.PROVISION);
    }

    private static Optional<String> attachRefusal(VolumeSnapshot volume, AttachVolume attach) {
        String id = volume.volumeId();
        if (volume.state() == VolumeState.DELETED) {
            return Optional.of("volume " + id + " was deleted");
        }
        if (!Objects.equals(volume.appId(), attach.appId()) || !Objects.equals(volume.identity(), attach.identity())) {
            return Optional.of("volume " + id + " belongs to identity " + volume.identity() + " of app "
                    + volume.appId() + ", not to " + attach.identity() + " of " + attach.appId());
        }
        if (volume.type() == VolumeType.LOCAL && !attach.nodeId().equals(volume.nodeId())) {
            return Optional.of("local volume " + id + " lives on node " + volume.nodeId()
                    + "; it cannot be attached on node " + attach.nodeId());
        }
        // The core safety rule: a volume held by one node goes to another only after that node's hold
        // was voided (fenced), or its task ended (detached), or its identity went away (released).
        if (HELD.contains(volume.state()) && !attach.nodeId().equals(volume.attachedNodeId())) {
            return Optional.of("volume " + id + " is " + volume.state() + " to node " + volume.attachedNodeId()
                    + " for task " + volume.attachedTaskId() + "; another node gets it only once that "
                    + "attachment is fenced, detached or released");
        }
        return Optional.empty();
    }

    private static Decision detach(VolumeSnapshot volume, DetachVolume detach) {
        if (volume == null || !HELD.contains(volume.state()) || !detach.nodeId().equals(volume.attachedNodeId())
                || !detach.taskId().equals(volume.attachedTaskId())) {
            return new Unchanged("not held by task " + detach.taskId() + " on node " + detach.nodeId());
        }
        VolumeSnapshot detaching = with(volume, VolumeState.DETACHING, volume.attachedNodeId(),
                volume.attachedTaskId(), volume.fencingEpoch());
        VolumeSnapshot available = with(detaching, VolumeState.AVAILABLE, null, null, volume.fencingEpoch());
        return new Change(List.of(
                new Step(Kind.DETACHED, volume.state(), detaching, detach.nodeId(), detach.taskId(), null, false),
                new Step(Kind.DETACHED, VolumeState.DETACHING, available, detach.nodeId(), detach.taskId(), null,
                        true)),
                FollowUp.NONE);
    }

    private static Decision fence(VolumeSnapshot volume, FenceVolume fence) {
        if (volume == null || !HELD.contains(volume.state()) || !fence.nodeId().equals(volume.attachedNodeId())) {
            return new Unchanged("not held by node " + fence.nodeId());
        }
        VolumeSnapshot fenced = with(volume, VolumeState.FENCED, null, null, volume.fencingEpoch() + 1);
        return one(new Step(Kind.FENCED, volume.state(), fenced, fence.nodeId(), volume.attachedTaskId(),
                fence.reason(), true), FollowUp.NONE);
    }

    private static Decision release(VolumeSnapshot volume, ReleaseVolume release) {
        if (volume == null) {
            return new Unchanged("no such volume");
        }
        if (volume.state() == VolumeState.DELETED || volume.state() == VolumeState.RELEASED) {
            return new Unchanged("already " + volume.state());
        }
        VolumeSnapshot released = with(volume, VolumeState.RELEASED, null, null, volume.fencingEpoch());
        return one(new Step(Kind.RELEASED, volume.state(), released, volume.attachedNodeId(),
                volume.attachedTaskId(), release.reason(), true), FollowUp.NONE);
    }

    private static Decision delete(VolumeSnapshot volume) {
        if (volume == null) {
            return new Unchanged("no such volume");
        }
        if (volume.state() == VolumeState.DELETED) {
            return new Unchanged("already deleted");
        }
        if (volume.state() != VolumeState.RELEASED) {
            String where = volume.attachedNodeId() == null ? "" : " to node " + volume.attachedNodeId();
            return new Answer(Kind.DELETE_REFUSED, volume.attachedNodeId(), null, "volume " + volume.volumeId()
                    + " is " + volume.state()
                    + where + "; only a released volume can be deleted");
        }
        VolumeSnapshot deleted = with(volume, VolumeState.DELETED, null, null, volume.fencingEpoch());
        return one(new Step(Kind.DELETED, volume.state(), deleted, volume.nodeId(), null, null, true),
                FollowUp.DESTROY);
    }

    private static VolumeSnapshot newVolume(AttachVolume a) {
        boolean local = a.type() == VolumeType.LOCAL;
        String provider = a.provider() != null && !a.provider().isBlank() ? a.provider()
                : local ? Volumes.LOCAL_PROVIDER : DEFAULT_EXTERNAL_PROVIDER;
        // A local volume is bound for life to the node it is first attached on: its data lives there.
        return new VolumeSnapshot(a.volumeId(), a.name(), a.appId(), a.identity(), a.type(), provider, a.sizeMib(),
                local ? a.nodeId() : null, VolumeState.AVAILABLE, null, null, 0, 0, Instant.now());
    }

    private static VolumeSnapshot with(VolumeSnapshot v, VolumeState state, String attachedNodeId,
                                       String attachedTaskId, long epoch) {
        return new VolumeSnapshot(v.volumeId(), v.name(), v.appId(), v.identity(), v.type(), v.provider(),
                v.sizeMib(), v.nodeId(), state, attachedNodeId, attachedTaskId, epoch, v.version(), Instant.now());
    }

    private static Decision one(Step step, FollowUp followUp) {
        return new Change(List.of(step), followUp);
    }
}
