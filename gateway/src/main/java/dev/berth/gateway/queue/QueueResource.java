package dev.berth.gateway.queue;

import dev.berth.gateway.Kafka;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;

/**
 * The launch queue: every app with instances that wait to run, and why, as the scheduler last
 * wrote it on {@code berth.queue}. An app leaves the queue when the scheduler tombstones its entry.
 */
@Path("/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {
    @Inject
    Kafka kafka;

    @GET
    public Map<String, List<QueueJson>> list() {
        return Map.of("queue", kafka.view().queue().stream().map(QueueJson::of).toList());
    }
}
