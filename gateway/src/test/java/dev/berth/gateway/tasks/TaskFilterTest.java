package dev.berth.gateway.tasks;

import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.messages.DesiredState;
import dev.berth.contracts.messages.TaskRecord;
import dev.berth.contracts.messages.TaskState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskFilterTest {
    @Test
    void aRepeatedFilterMatchesAnyOfItsValues() {
        // Given a filter by two states and two nodes
        List<FieldError> errors = new ArrayList<>();
        TaskFilter filter = TaskFilter.parse(null, List.of("n1", "n2"), List.of("running", "STAGING"), errors);

        // Then a task in either state on either node matches, and no other
        assertEquals(List.of(), errors);
        assertTrue(filter.test(task("/a/web", "n1", TaskState.RUNNING)));
        assertTrue(filter.test(task("/a/web", "n2", TaskState.STAGING)));
        assertFalse(filter.test(task("/a/web", "n3", TaskState.RUNNING)));
        assertFalse(filter.test(task("/a/web", "n1", TaskState.FAILED)));
    }

    @Test
    void everyValueOfARepeatedFilterIsCheckedNotOnlyTheFirst() {
        // When a good state comes first and a bad one after it, and likewise for the app
        List<FieldError> errors = new ArrayList<>();
        TaskFilter.parse(List.of("/a/web", "Not An App"), null, List.of("RUNNING", "bogus"), errors);

        // Then both bad values are refused by name
        assertEquals(List.of("app", "state"), errors.stream().map(FieldError::field).toList());
        assertTrue(errors.get(1).message().contains("'bogus'"), errors.get(1).message());
    }

    @Test
    void anAppIsTakenWithOrWithoutItsSlashAndABlankValueFiltersNothing() {
        List<FieldError> errors = new ArrayList<>();
        TaskFilter byApp = TaskFilter.parse(List.of("a/web"), List.of(""), List.of(" "), errors);

        assertEquals(List.of(), errors);
        assertTrue(byApp.test(task("/a/web", "n1", TaskState.KILLED)));
        assertFalse(byApp.test(task("/a/db", "n1", TaskState.KILLED)));
    }

    private static TaskRecord task(String appId, String nodeId, TaskState state) {
        return new TaskRecord(UUID.randomUUID().toString(), 1, Instant.now(), null, "t-" + UUID.randomUUID(), appId,
                1, 0, nodeId, "127.0.0.1", List.of(), DesiredState.RUN, state, null, null, Instant.now(), null, null);
    }
}
