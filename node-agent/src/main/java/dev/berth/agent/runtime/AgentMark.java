package dev.berth.agent.runtime;

import dev.berth.agent.sandbox.Sandboxes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The mark every process of this agent's tasks carries in its environment,
 * {@code BERTH_TASK_MARK=<token>/<task id>}, inherited by everything the task starts. The task's cgroup
 * says what belongs to it while the agent watches; the mark says it on the host for anyone who looks,
 * also for a process that is in no cgroup (a node without cgroups) or in a group the agent has lost
 * track of: the agent's sweep ({@code sweep/StraySweep}) and {@code deploy/local/down} find leftovers by
 * it.
 *
 * <p>The token is this agent's own: made once, at random, and kept in its work dir, so a restarted agent
 * knows its tasks' processes again, and agents sharing a machine (each with its own work dir, even under
 * one node id, as test runs do) never take each other's processes for theirs. It begins with the node id
 * it was made under, for a person reading {@code /proc}.
 *
 * @param token {@code <node id>-<12 hex digits>}, kept as it is should the node id change later
 */
public record AgentMark(String token) {
    /** The environment variable. Berth's own: an app's {@code env} cannot set it. */
    public static final String VARIABLE = "BERTH_TASK_MARK";
    /** Where the token is kept, in the agent's work dir. */
    public static final String FILE = "agent-mark";

    public AgentMark {
        if (token == null || token.isBlank() || token.contains("/") || token.contains("=")) {
            throw new IllegalArgumentException("an agent mark's token is a plain word, was " + token);
        }
    }

    /** The work dir's mark: the one kept there, or a new one, written there for the agents after this one. */
    public static AgentMark in(Path workDir, String nodeId) throws IOException {
        Path file = workDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String kept = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!kept.isEmpty()) {
                return new AgentMark(kept);
            }
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        AgentMark made = new AgentMark(Sandboxes.directoryName(nodeId) + "-"
                + HexFormat.of().formatHex(random));
        Files.createDirectories(workDir);
        Path temporary = workDir.resolve(FILE + ".tmp");
        Files.writeString(temporary, made.token() + "\n", StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return made;
    }

    /** The variable's value for one task's processes. */
    public String valueFor(String taskId) {
        return token + "/" + taskId;
    }

    /** The task id an environment entry ({@code NAME=value}) names, if it is this agent's mark. */
    public Optional<String> taskIdIn(String entry) {
        String prefix = VARIABLE + "=" + token + "/";
        return entry.startsWith(prefix) ? Optional.of(entry.substring(prefix.length())) : Optional.empty();
    }
}
