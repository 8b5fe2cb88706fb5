package dev.berth.gateway.events;

import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open readers of {@code GET /v1/events}, each with its own {@link EventStream}, and their bound:
 * beyond {@code berth.gateway.events.max-streams} a reader is refused with 503 rather than letting
 * readers take every thread and connection the gateway has.
 */
@ApplicationScoped
public class EventStreams {
    @Inject
    GatewayConfig config;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    MeterRegistry metrics;

    // Counts a stream from its admission until its consumer is closed, so a slot is free only once its
    // consumer really is.
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong numbers = new AtomicLong();
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();

    /**
     * Opens a stream at {@code start} for a reader, or refuses it at once (503) when
     * {@code max-streams} are open. The Uni fails with 503 if the broker cannot place it.
     */
    public Uni<EventStream> open(ResumePoint start, EventFilter filter) {
        int max = config.events().maxStreams();
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            throw new ProblemException(Problem.of(503, "too-many-streams", "Too many event streams",
                    "this gateway already serves " + max + " event streams (berth.gateway.events.max-streams); "
                            + "try again later, or through another gateway"), Duration.ofSeconds(5));
        }
        return EventStream.open("events-stream-" + numbers.incrementAndGet(), bootstrapServers, start, filter,
                        closed -> {
                            streams.remove(closed);
                            open.decrementAndGet();
                        })
                .invoke(streams::add)
                .onFailure().transform(e -> e instanceof ProblemException ? e
                        : new ProblemException(Problem.of(503, "kafka-unavailable", "Event stream unavailable",
                        "the gateway could not find its place on the event topic (" + e.getMessage()
                                + "); try again"), Duration.ofSeconds(5)));
    }

    /** Streams admitted whose consumer is not closed yet. */
    public int openStreams() {
        return open.get();
    }

    // At start, not with the first stream: a gateway that never served one shows 0, not nothing.
    void onStart(@Observes StartupEvent event) {
        Gauge.builder("berth.gateway.event.streams", this, EventStreams::openStreams)
                .description("Event streams (GET /v1/events) open on this gateway; at most berth.gateway.events.max-streams")
                .register(metrics);
    }

    void onStop(@Observes ShutdownEvent event) {
        streams.forEach(EventStream::close);
    }
}
