package dev.berth.agent.task;

import org.jboss.logging.MDC;

/**
 * A task's ids in the log context (MDC) while the agent works for it, so that every line logged
 * meanwhile — on whichever pool thread — names the task and its app: as {@code mdc.taskId} and
 * {@code mdc.appId} fields in JSON logs ({@code BERTH_LOG_FORMAT=json}, docs/observability.md#logs).
 * The node's id is a field of every line already (the agent's configuration adds it).
 */
final class TaskLogContext {
    static final String TASK_ID = "taskId";
    static final String APP_ID = "appId";

    private TaskLogContext() {
    }

    /** {@code work}, run with the task's ids in the log context, and the context as it was afterwards. */
    static Runnable around(String taskId, String appId, Runnable work) {
        return () -> {
            Object taskBefore = MDC.get(TASK_ID);
            Object appBefore = MDC.get(APP_ID);
            put(TASK_ID, taskId);
            put(APP_ID, appId);
            try {
                work.run();
            } finally {
                restore(TASK_ID, taskBefore);
                restore(APP_ID, appBefore);
            }
        };
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static void restore(String key, Object before) {
        if (before == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, before);
        }
    }
}
