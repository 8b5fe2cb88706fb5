package dev.berth.cli.event;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerSentEventsTest {
    @Test
    void eachEventEndsAtABlankLineAndCommentsAreLeftOut() {
        List<ServerSentEvents.Event> events = new ArrayList<>();
        ServerSentEvents parser = new ServerSentEvents(events::add);

        List.of(": resuming after 41, at 42", "", "id: 42", "event: dev.berth.task.state",
                "data: {\"subject\":\"tasks/a\"}", "", ": heartbeat", "", "id: 43", "data: one", "data: two", "")
                .forEach(parser);

        assertEquals(List.of(new ServerSentEvents.Event("42", "dev.berth.task.state", "{\"subject\":\"tasks/a\"}"),
                new ServerSentEvents.Event("43", "message", "one\ntwo")), events);
    }

    @Test
    void aLineShowsTheIdTimeTypeAndSubject() {
        ServerSentEvents.Event event = new ServerSentEvents.Event("42", "dev.berth.task.state",
                "{\"time\":\"2026-12-07T09:00:00Z\",\"subject\":\"tasks/team-a_web.1\"}");
        String line = EventsCommand.line(event, EventsCommand.parse(event));

        assertEquals("42  2026-12-07T09:00:00Z  dev.berth.task.state  tasks/team-a_web.1", line);
    }

    @Test
    void anEventWhoseDataIsNotJsonIsShownAsItCame() {
        ServerSentEvents.Event event = new ServerSentEvents.Event("7", "message", "not json {");

        assertEquals("7  message  not json {", EventsCommand.line(event, EventsCommand.parse(event)));
    }
}
