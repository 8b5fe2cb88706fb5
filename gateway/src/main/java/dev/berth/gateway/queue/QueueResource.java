package dev.berth.gateway.queue;

import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.query.PageQuery;
import dev.berth.gateway.view.ClusterView;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;
import java.util.Map;

/**
 * The launch queue: every app with instances that wait to run, and why, as the scheduler last
 * wrote it on {@code berth.queue}. An app leaves the queue when the scheduler tombstones its entry.
 */
@Path("/v1/queue")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "queue")
public class QueueResource {
    @Inject
    ClusterView view;

    @Inject
    Caller caller;

    @GET
    @Operation(summary = "Instances waiting to be placed, and why")
    public RestResponse<Map<String, List<QueueJson>>> list(@BeanParam PageQuery page) {
        caller.mustRead();
        return page.respond("queue", view.queue().stream().filter(q -> caller.sees(q.appId()))
                .map(QueueJson::of).toList());
    }
}
