package dev.berth.router.haproxy;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which slot a task gets: kept while it lives, the lowest free one when new, twice as many when full. */
class SlotPlanTest {
    private static final List<SlotState> FOUR_UNUSED = Collections.nCopies(4, SlotState.UNUSED);

    private static SlotPlan.Task task(String key, int port) {
        return new SlotPlan.Task(key, "10.0.0.1", port, false);
    }

    @Test
    void aTaskKeepsItsSlotAndANewOneTakesTheLowestFree() {
        SlotPlan first = SlotPlan.plan(Map.of(), FOUR_UNUSED, List.of(task("a", 1), task("b", 2), task("c", 3)));

        SlotPlan second = SlotPlan.plan(first.slotByKey(), first.wanted(), List.of(task("c", 3), task("d", 4)));

        assertEquals(Map.of("a", 0, "b", 1, "c", 2), first.slotByKey());
        assertEquals(Map.of("c", 2, "d", 0), second.slotByKey());
        assertEquals(SlotState.Mode.MAINT, second.wanted().get(1).mode());
        assertEquals(2, second.wanted().get(1).port(), "a freed slot keeps its last address");
    }

    @Test
    void aFullBackendDoublesItsSlots() {
        SlotPlan plan = SlotPlan.plan(Map.of(), FOUR_UNUSED,
                List.of(task("a", 1), task("b", 2), task("c", 3), task("d", 4), task("e", 5), task("f", 6), task("g", 7), task("h", 8), task("i", 9)));

        assertEquals(16, plan.capacity());
        assertEquals(SlotState.UNUSED, plan.wanted().get(15));
    }
}
