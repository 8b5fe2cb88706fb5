package dev.berth.agent.sandbox;

import java.nio.file.Path;

/**
 * Where this node's sandboxes live: {@code <work-dir>/sandboxes/<task id>}, and beside them the
 * agent's checkpoints and exit files, {@code <work-dir>/tasks/<task id>.json} and {@code .exit}.
 */
public final class Sandboxes {
    private final Path root;
    private final Path runDir;

    public Sandboxes(Path root, Path runDir) {
        this.root = root.toAbsolutePath().normalize();
        this.runDir = runDir.toAbsolutePath().normalize();
    }

    public static Sandboxes under(Path workDir) {
        return new Sandboxes(workDir.resolve("sandboxes"), workDir.resolve("tasks"));
    }

    /** The sandbox of a task (not created yet). */
    public Sandbox of(String taskId) {
        return new Sandbox(taskId, root.resolve(directoryName(taskId)), runDir);
    }

    /** Where checkpoints and exit files are kept. */
    public Path runDir() {
        return runDir;
    }

    public Path root() {
        return root;
    }

    /**
     * Task ids come from the scheduler, over Kafka: keep them to a safe alphabet before they become
     * a directory name, so no id can point outside the sandboxes ({@code ..}, {@code /}).
     */
    public static String directoryName(String taskId) {
        String safe = taskId.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.chars().allMatch(c -> c == '.') ? "_" + safe : safe;
    }
}
