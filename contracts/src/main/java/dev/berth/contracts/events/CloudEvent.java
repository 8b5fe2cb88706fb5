package dev.berth.contracts.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.Ids;

import java.time.Instant;

/**
 * One event of Berth's public stream, {@code berth.events}, as a CloudEvents 1.0 event in structured
 * JSON mode: the whole event, attributes and {@code data}, is the Kafka record's value; the key is
 * the {@code subject}. Any Kafka client can read it; the gateway serves it as Server-Sent Events.
 * The catalogue of types, with an example each, is {@code docs/events.md}; {@link EventTypes} names them.
 *
 * @param specversion     always {@code 1.0}
 * @param id              unique per event (a consumer drops repeats by it)
 * @param source          the service that saw it happen: {@code /berth/scheduler}, {@code /berth/volume-service}
 * @param type            e.g. {@code dev.berth.task.state}
 * @param subject         what it is about: {@code apps/team-a/web}, {@code tasks/<task id>}, {@code nodes/<node id>},
 *                        {@code volumes/<volume id>}
 * @param time            when it happened
 * @param datacontenttype always {@code application/json}
 * @param team            Berth's extension attribute: the team of the app it concerns (the first segment
 *                        of its id), so a reader can be shown only its teams' events; absent for node events
 * @param data            the type's payload
 * @param traceparent     the CloudEvents distributed-tracing extension: the W3C trace context of what
 *                        caused the event (a request at the gateway, a node lost), when it was traced;
 *                        absent otherwise (docs/observability.md#traces)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CloudEvent(String specversion, String id, String source, String type, String subject, Instant time,
                         String datacontenttype, String team, JsonNode data, String traceparent) {
    public static final String SPEC_VERSION = "1.0";
    public static final String JSON = "application/json";

    /** An event about {@code subject} with {@code payload} (any record or map JSON can write) as its data. */
    public static CloudEvent of(String source, String type, String subject, String team, Instant time,
                                Object payload) {
        return new CloudEvent(SPEC_VERSION, Ids.newId(), source, type, subject, time, JSON, team,
                JsonCodec.mapper().valueToTree(payload), null);
    }

    /** This event, carrying the trace context {@code traceparent} ({@code 00-<trace>-<span>-<flags>}). */
    public CloudEvent withTraceparent(String traceparent) {
        return new CloudEvent(specversion, id, source, type, subject, time, datacontenttype, team, data, traceparent);
    }

    /** The team of an app id, as the {@code team} attribute carries it; null for an app at the root. */
    public static String teamOf(String appId) {
        String team = appId == null ? "" : AppIds.team(appId);
        return team.isEmpty() ? null : team;
    }
}
