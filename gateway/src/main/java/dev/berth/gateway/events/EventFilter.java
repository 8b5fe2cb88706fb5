package dev.berth.gateway.events;

import dev.berth.contracts.events.CloudEvent;
import dev.berth.gateway.auth.VisibleTeams;

import java.util.List;
import java.util.Objects;

/**
 * Which events of {@code berth.events} one reader of {@code GET /v1/events} is sent: those the caller
 * may see ({@link VisibleTeams}) that also match what it asked for. Each list is "any of"; an empty list
 * asks for everything.
 *
 * @param typePrefixes    {@code ?type=}: the event's {@code type} starts with one of them ({@code dev.berth.task.})
 * @param teams           {@code ?team=}: the event's {@code team} is one of them (exactly: {@code team-a} is not
 *                        {@code team-ab}); an event of no team (a node's) never matches a team asked for
 * @param subjectPrefixes {@code ?subject=}: the event's {@code subject} starts with one of them ({@code apps/team-a/})
 * @param visible         the caller's teams, from authentication
 */
public record EventFilter(List<String> typePrefixes, List<String> teams, List<String> subjectPrefixes,
                          VisibleTeams visible) {
    public EventFilter {
        typePrefixes = nonBlank(typePrefixes);
        teams = nonBlank(teams);
        subjectPrefixes = nonBlank(subjectPrefixes);
        Objects.requireNonNull(visible, "visible");
    }

    /** Everything the caller may see. */
    public static EventFilter everything(VisibleTeams visible) {
        return new EventFilter(List.of(), List.of(), List.of(), visible);
    }

    public boolean test(CloudEvent event) {
        // Visibility first: whatever else is asked for, another team's event is never sent.
        return visible.sees(event.team())
                && (typePrefixes.isEmpty() || startsWithAny(event.type(), typePrefixes))
                && (teams.isEmpty() || event.team() != null && teams.contains(event.team()))
                && (subjectPrefixes.isEmpty() || startsWithAny(event.subject(), subjectPrefixes));
    }

    private static boolean startsWithAny(String value, List<String> prefixes) {
        return value != null && prefixes.stream().anyMatch(value::startsWith);
    }

    /** {@code ?type=} with no value asks for nothing in particular: it is dropped, not a filter matching nothing. */
    private static List<String> nonBlank(List<String> values) {
        return values == null ? List.of() : values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip)
                .distinct().toList();
    }
}
