package dev.berth.router.haproxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which server slot each task of one backend gets, and what every slot should then be. A task keeps
 * its slot while it lives (its dynamic cookie and its hash positions belong to the slot), a gone task's
 * slot goes to maintenance, a new task takes the lowest free slot, and when the slots run out their
 * number doubles (which the caller turns into a reload). Pure: it changes nothing it is given.
 *
 * @param slotByKey task key to slot index
 * @param wanted    every slot's wanted state; its length is the backend's slot count
 */
record SlotPlan(Map<String, Integer> slotByKey, List<SlotState> wanted) {

    /** A task with its address resolved to an IP literal, as the Runtime API needs it. */
    record Task(String key, String address, int port, boolean draining) {
    }

    int capacity() {
        return wanted.size();
    }

    static SlotPlan plan(Map<String, Integer> currentSlots, List<SlotState> running, List<Task> tasks) {
        Map<String, Integer> slots = new HashMap<>();
        TreeSet<Integer> free = new TreeSet<>();
        for (int i = 0; i < running.size(); i++) {
            free.add(i);
        }
        for (Task task : tasks) {
            Integer slot = currentSlots.get(task.key());
            if (slot != null && slot < running.size()) {
                slots.put(task.key(), slot);
                free.remove(slot);
            }
        }
        int capacity = Math.max(running.size(), 1);
        List<Task> newcomers = tasks.stream().filter(t -> !slots.containsKey(t.key())).toList();
        while (capacity - slots.size() < newcomers.size()) {
            capacity *= 2;
        }
        for (int i = running.size(); i < capacity; i++) {
            free.add(i);
        }
        for (Task task : newcomers) {
            slots.put(task.key(), free.pollFirst());
        }
        List<SlotState> wanted = new ArrayList<>(capacity);
        for (int i = 0; i < capacity; i++) {
            // A slot left without a task keeps its last address, so that putting it in maintenance is
            // the only command it needs.
            wanted.add(i < running.size() ? running.get(i).withMode(SlotState.Mode.MAINT) : SlotState.UNUSED);
        }
        for (Task task : tasks) {
            SlotState.Mode mode = task.draining() ? SlotState.Mode.DRAIN : SlotState.Mode.READY;
            wanted.set(slots.get(task.key()), new SlotState(task.address(), task.port(), mode));
        }
        return new SlotPlan(Map.copyOf(slots), List.copyOf(wanted));
    }
}
