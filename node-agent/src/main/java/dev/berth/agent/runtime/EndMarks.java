package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandbox;
import dev.berth.agent.volumes.TaskVolumes;
import dev.berth.contracts.messages.TaskStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Why a task ended, when its init left a mark saying so (beside its exit file, written before it): its
 * watchdog fenced it, or a volume could not be mounted. The exit code alone (137, 125) could not tell
 * these from a task killed or failing on its own. Read the same way for a task this agent started and
 * for one it adopted after a restart.
 */
final class EndMarks {
    private EndMarks() {
    }

    static Optional<String> reason(Sandbox sandbox) {
        Optional<String> fenced = read(sandbox.fencedMark());
        if (fenced.isPresent()) {
            return Optional.of(fencedReason(fenced.get()));
        }
        Optional<String> volume = mountFailure(sandbox);
        if (volume.isPresent()) {
            return volume;
        }
        return read(sandbox.rootFailedMark()).map(text -> ISOLATION_FAILED + ": " + text);
    }

    /** The reason's prefix when a task's own root could not be built or its user not taken on. */
    static final String ISOLATION_FAILED = "ISOLATION_FAILED";


    /** {@code VOLUME_FAILED: cannot mount volume x at /p: mount: …}, if the mount step left one. */
    static Optional<String> mountFailure(Sandbox sandbox) {
        return read(sandbox.mountFailedMark()).map(text -> TaskStatus.VOLUME_FAILED + ": " + text);
    }

    /** {@code lease} or {@code epoch <n>}, as the watchdog writes it, in the cluster's words. */
    static String fencedReason(String mark) {
        if (mark.startsWith("epoch ")) {
            return TaskStatus.FENCED + ": a newer attachment (" + mark + ") exists";
        }
        return TaskStatus.FENCED + ": " + TaskVolumes.LEASE_EXPIRED;
    }

    /** The mark's text on one line (mount's messages span two), or empty when there is no mark. */
    private static Optional<String> read(Path mark) {
        try {
            String text = Files.readString(mark, StandardCharsets.UTF_8).trim().replaceAll("\\s*\\n\\s*", " ");
            return Optional.of(text.isEmpty() ? "(no detail)" : text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
