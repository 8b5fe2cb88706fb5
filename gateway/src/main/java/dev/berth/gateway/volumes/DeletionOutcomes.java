package dev.berth.gateway.volumes;

import dev.berth.contracts.messages.VolumeEvent;
import dev.berth.contracts.messages.VolumeState;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Deletes waiting for the volume service's answer. A waiter is registered before its
 * {@code DeleteVolume} is sent, so an answer that comes back fast cannot slip past it, and is
 * completed by the first event that settles it:
 * <ul>
 *   <li>DELETED (the volume is gone, whoever asked: a second delete or a wipe ends the wait too);</li>
 *   <li>DELETE_REFUSED answering this command ({@code correlationId} = the command's id; an event
 *       without a correlation id is taken as the answer, since it can be told from no other).</li>
 * </ul>
 * Fed by the view on its consumer thread, after the view has applied the event.
 */
public final class DeletionOutcomes implements Consumer<VolumeEvent> {
    /** One delete in flight. */
    public record Waiter(String volumeId, String commandId, CompletableFuture<VolumeEvent> outcome) {
        boolean settledBy(VolumeEvent event) {
            if (event.kind() == VolumeEvent.Kind.DELETED || event.volume().state() == VolumeState.DELETED) {
                return true;
            }
            return event.kind() == VolumeEvent.Kind.DELETE_REFUSED
                    && (event.correlationId() == null || event.correlationId().equals(commandId));
        }
    }

    private final Map<String, Set<Waiter>> byVolume = new ConcurrentHashMap<>();

    /** Starts waiting for the outcome of the delete command {@code commandId} of {@code volumeId}. */
    public Waiter await(String volumeId, String commandId) {
        Waiter waiter = new Waiter(volumeId, commandId, new CompletableFuture<>());
        byVolume.computeIfAbsent(volumeId, id -> ConcurrentHashMap.newKeySet()).add(waiter);
        return waiter;
    }

    /** Stops waiting (the command was not sent, or the answer was too slow): nothing is kept for it. */
    public void forget(Waiter waiter) {
        byVolume.computeIfPresent(waiter.volumeId(), (id, waiters) -> {
            waiters.remove(waiter);
            return waiters.isEmpty() ? null : waiters;
        });
    }

    @Override
    public void accept(VolumeEvent event) {
        Set<Waiter> waiters = byVolume.get(event.volumeId());
        if (waiters == null) {
            return;
        }
        for (Waiter waiter : waiters) {
            if (waiter.settledBy(event)) {
                forget(waiter);
                waiter.outcome().complete(event);
            }
        }
    }

    /** Deletes still waiting; for tests. */
    int waiting() {
        return byVolume.values().stream().mapToInt(Set::size).sum();
    }
}
