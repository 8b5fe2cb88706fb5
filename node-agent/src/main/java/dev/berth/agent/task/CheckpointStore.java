package dev.berth.agent.task;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.sandbox.Sandboxes;
import dev.berth.contracts.json.JsonCodec;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Task checkpoints as small JSON files in the agent's run directory, each replaced whole (write a
 * temporary file, rename it over the old one), so a reader never sees half of one. They are not
 * fsynced: they must survive the agent process, and a machine that crashes takes its tasks with it.
 */
public class CheckpointStore {
    private static final Logger LOG = Logger.getLogger(CheckpointStore.class);

    private final Sandboxes sandboxes;

    public CheckpointStore(Sandboxes sandboxes) {
        this.sandboxes = sandboxes;
    }

    /** A store that keeps nothing (for tests of the supervisor alone). */
    public static CheckpointStore none() {
        return new CheckpointStore(null) {
            @Override
            public void save(TaskCheckpoint checkpoint) {
            }

            @Override
            public void delete(String taskId) {
            }

            @Override
            public List<TaskCheckpoint> all() {
                return List.of();
            }

            @Override
            public Optional<Instant> savedAt(String taskId) {
                return Optional.empty();
            }
        };
    }

    public void save(TaskCheckpoint checkpoint) {
        Sandbox sandbox = sandboxes.of(checkpoint.taskId());
        Path temporary = sandbox.checkpoint().resolveSibling(sandbox.checkpoint().getFileName() + ".tmp");
        try {
            Files.createDirectories(sandbox.runDir());
            Files.write(temporary, JsonCodec.mapper().writeValueAsBytes(checkpoint));
            Files.move(temporary, sandbox.checkpoint(), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // The task itself is unharmed; only a restart of this agent would lose sight of it.
            LOG.errorf("cannot checkpoint task %s in %s: %s", checkpoint.taskId(), sandbox.runDir(), e);
        }
    }

    /** Forgets a task: its checkpoint and the files beside it (its sandbox is the retention's to remove). */
    public void delete(String taskId) {
        Sandbox sandbox = sandboxes.of(taskId);
        try {
            Files.deleteIfExists(sandbox.checkpoint());
            for (Path file : sandbox.runFiles()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(sandbox.hostsFile());
        } catch (IOException e) {
            LOG.warnf("cannot remove the checkpoint of %s: %s", taskId, e);
        }
    }

    /** When the task's checkpoint was last written (for an ended task: about when it ended), if it exists. */
    public Optional<Instant> savedAt(String taskId) {
        try {
            return Optional.of(Files.getLastModifiedTime(sandboxes.of(taskId).checkpoint()).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Every checkpoint in the run directory; one that cannot be read is logged and skipped, not fatal. */
    public List<TaskCheckpoint> all() {
        List<TaskCheckpoint> checkpoints = new ArrayList<>();
        if (!Files.isDirectory(sandboxes.runDir())) {
            return checkpoints;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(sandboxes.runDir(), "*.json")) {
            for (Path file : files) {
                try {
                    checkpoints.add(JsonCodec.mapper().readValue(file.toFile(), TaskCheckpoint.class));
                } catch (IOException | RuntimeException e) {
                    LOG.errorf("skipping unreadable task checkpoint %s: %s", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.errorf("cannot list task checkpoints in %s: %s", sandboxes.runDir(), e);
        }
        return checkpoints;
    }
}
