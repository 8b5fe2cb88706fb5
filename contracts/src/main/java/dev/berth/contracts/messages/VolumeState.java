package dev.berth.contracts.messages;

/**
 * Where a volume is in its life. The attachment part is a state machine kept by the volume service
 * under optimistic locking, so an external volume is attached to at most one node at a time:
 * <pre>
 *   AVAILABLE ─attach→ ATTACHING ─provisioned→ ATTACHED ─task ended→ DETACHING ─→ AVAILABLE
 *                                              ATTACHED ─holder's node lost, lease over→ FENCED ─attach→ ATTACHING
 *   AVAILABLE / FENCED ─identity scaled away, replaced or app deleted→ RELEASED ─attach (scaled up again)→ ATTACHING
 *   RELEASED ─delete or wipe→ DELETED
 * </pre>
 */
public enum VolumeState {
    AVAILABLE, ATTACHING, ATTACHED, DETACHING, FENCED, RELEASED, DELETED
}
