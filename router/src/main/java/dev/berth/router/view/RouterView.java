package dev.berth.router.view;

import dev.berth.contracts.messages.AppRoutes;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.TaskRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a router knows: the apps, their tasks and their decided routes, as the compacted topics hold
 * them — nothing else, so a router that restarts knows again what it knew. Written by the one feed
 * thread, read by the thread that applies the table: every method is synchronized, and the reads
 * hand out copies.
 */
public final class RouterView {
    private final Map<String, AppState> apps = new HashMap<>();
    private final Map<String, TaskRecord> tasks = new HashMap<>();
    /** The same tasks by app: the table is made for every routed app after each change. */
    private final Map<String, Map<String, TaskRecord>> tasksByApp = new HashMap<>();
    private final Map<String, AppRoutes> routes = new HashMap<>();

    public synchronized void putApp(AppState app) {
        apps.put(app.appId(), app);
    }

    public synchronized void removeApp(String appId) {
        apps.remove(appId);
    }

    public synchronized void putTask(TaskRecord task) {
        removeTask(task.taskId());
        tasks.put(task.taskId(), task);
        tasksByApp.computeIfAbsent(task.appId(), a -> new HashMap<>()).put(task.taskId(), task);
    }

    public synchronized void removeTask(String taskId) {
        TaskRecord gone = tasks.remove(taskId);
        if (gone != null) {
            Map<String, TaskRecord> ofApp = tasksByApp.get(gone.appId());
            ofApp.remove(taskId);
            if (ofApp.isEmpty()) {
                tasksByApp.remove(gone.appId());
            }
        }
    }

    public synchronized void putRoutes(AppRoutes decided) {
        routes.put(decided.appId(), decided);
    }

    public synchronized void removeRoutes(String appId) {
        routes.remove(appId);
    }

    public synchronized AppState app(String appId) {
        return apps.get(appId);
    }

    public synchronized List<TaskRecord> tasksOf(String appId) {
        return List.copyOf(tasksByApp.getOrDefault(appId, Map.of()).values());
    }

    public synchronized List<AppRoutes> routes() {
        return new ArrayList<>(routes.values());
    }
}
