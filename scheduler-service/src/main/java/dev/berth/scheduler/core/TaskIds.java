package dev.berth.scheduler.core;

import dev.berth.contracts.messages.Ids;

/**
 * Task ids in Marathon's shape, {@code <app path with '_' for '/'>.<uuid>}, so an operator can see
 * which app a task belongs to from its id alone and the id is safe as a file name in a sandbox path.
 */
public final class TaskIds {
    private TaskIds() {
    }

    public static String newTaskId(String appId) {
        return appId.substring(1).replace('/', '_') + "." + Ids.newId();
    }
}
