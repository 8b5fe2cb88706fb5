package dev.berth.gateway.events;

import dev.berth.gateway.GatewayConfig;
import dev.berth.gateway.auth.Caller;
import dev.berth.gateway.problem.Problem;
import dev.berth.gateway.problem.ProblemException;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/events}: Berth's public event stream, {@code berth.events}, as Server-Sent Events. Each
 * record is one SSE event: {@code id} its offset on the topic, {@code event} the CloudEvent's type,
 * {@code data} the CloudEvent (structured JSON) on one line. A reader starts with new events, or resumes
 * right after the offset it names ({@code Last-Event-ID}, or {@code ?since=}); notes about its stream
 * and a heartbeat come as SSE comments. Nothing here blocks the event loop: each stream's Kafka consumer
 * polls on a thread of its own.
 */
@Path("/v1/events")
@Tag(name = "events")
public class EventsResource {
    @Inject
    EventStreams streams;

    @Inject
    GatewayConfig config;

    @Inject
    Caller caller;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Stream Berth's events (CloudEvents) as Server-Sent Events; resume with Last-Event-ID")
    public RestMulti<OutboundSseEvent> events(@HeaderParam("Last-Event-ID") String lastEventId,
                                              @QueryParam("since") String since,
                                              @QueryParam("type") List<String> types,
                                              @QueryParam("team") List<String> teams,
                                              @QueryParam("subject") List<String> subjects,
                                              @Context Sse sse) {
        caller.mustRead();
        ResumePoint start = ResumePoint.parse(lastEventId, since);
        if (start instanceof ResumePoint.Invalid invalid) {
            throw new ProblemException(Problem.of(400, "invalid-resume-point", "Invalid resume point",
                    invalid.detail()));
        }
        // Whatever the query asks for, a caller is sent only its own teams' events (and the nodes').
        EventFilter filter = new EventFilter(types, teams, subjects, caller.visibleTeams());
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks()
                .startingAfter(config.events().heartbeat()).every(config.events().heartbeat())
                .onOverflow().drop()
                .map(tick -> sse.newEventBuilder().comment("heartbeat").build());
        return RestMulti.fromUniResponse(streams.open(start, filter),
                stream -> Multi.createBy().merging().streams(stream.items().map(item -> toSse(item, sse)), heartbeats),
                stream -> Map.of("Cache-Control", List.of("no-cache"),
                        // nginx would otherwise hold events back in its buffer.
                        "X-Accel-Buffering", List.of("no")));
    }

    private static OutboundSseEvent toSse(StreamItem item, Sse sse) {
        if (item instanceof StreamItem.Published event) {
            return sse.newEventBuilder().id(Long.toString(event.offset())).name(event.type()).data(event.json())
                    .build();
        }
        return sse.newEventBuilder().comment(((StreamItem.Note) item).text()).build();
    }
}
