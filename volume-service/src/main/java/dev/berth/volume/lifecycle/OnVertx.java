package dev.berth.volume.lifecycle;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Runs Hibernate Reactive work from a plain thread (the Kafka consumer, the relay, a blocking REST
 * call, start-up): the work runs on a Vert.x duplicated context, as Hibernate Reactive requires, and
 * the calling thread waits for it. Never call it from an event loop.
 */
public final class OnVertx {
    private OnVertx() {
    }

    public static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CompletionException(t);
        }
    }
}
