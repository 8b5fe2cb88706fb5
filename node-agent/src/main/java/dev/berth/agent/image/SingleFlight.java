package dev.berth.agent.image;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;

/**
 * Runs one piece of work per key at a time and lets every concurrent caller share its outcome: two tasks
 * of one image starting together download and unpack each layer once, not twice side by side.
 * The key is forgotten once the work ends; what it produced lives on disk, where the next caller finds it.
 */
final class SingleFlight<K> {
    /** Work that may fail with an image error. */
    interface Work<V> {
        V run() throws ImagePullException;
    }

    private final ConcurrentMap<K, CompletableFuture<Object>> running = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    <V> V run(K key, Work<V> work) throws ImagePullException {
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> theirs = running.putIfAbsent(key, mine);
        if (theirs != null) {
            return (V) await(theirs);
        }
        try {
            V value = work.run();
            mine.complete(value);
            return value;
        } catch (ImagePullException | RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(key, mine);
        }
    }

    private static Object await(CompletableFuture<Object> future) throws ImagePullException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException(ImagePullException.Reason.UNREACHABLE, "interrupted while waiting for"
                    + " another pull of the same content", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ImagePullException pull) {
                // A copy: each caller gets its own stack, with the same reason and words.
                throw new ImagePullException(pull.reason(), pull.getMessage(), pull);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) cause;
        }
    }
}
