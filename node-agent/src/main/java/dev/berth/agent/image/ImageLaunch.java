package dev.berth.agent.image;

import dev.berth.contracts.messages.TaskSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a task that runs an image starts as: the image's config with the app's fields over it, as
 * Marathon on Mesos's universal containerizer reads them:
 * <ul>
 *   <li>command: the app's {@code cmd} runs as {@code /bin/sh -c cmd} in the image (its entrypoint not
 *       used); the app's {@code args} are appended to the image's {@code Entrypoint} (replacing its
 *       {@code Cmd}); with neither, {@code Entrypoint} + {@code Cmd};</li>
 *   <li>environment: the image's {@code Env}, under the app's {@code env} and Berth's own variables
 *       (the runtime adds those);</li>
 *   <li>user: the app's {@code user}; else the image's {@code User} unless it is root; else the node's
 *       default user. Root, from the image or the app, only where the node allows root tasks: an image
 *       whose author never thought of a user must not become a root process on a node that forbids them;</li>
 *   <li>working directory: the image's {@code WorkingDir}, or the task's sandbox when it names none.</li>
 * </ul>
 *
 * @param command    the task's own command line, inside its root
 * @param imageEnv   the image's environment (before the app's and Berth's)
 * @param user       who the task runs as
 * @param workingDir absolute, inside the root; empty: the sandbox
 */
public record ImageLaunch(List<String> command, Map<String, String> imageEnv, ImageUsers.ImageUser user,
                          Optional<String> workingDir) {

    /**
     * @param defaultUser the node's default user for tasks (null: the agent's own user, {@code agentUser})
     * @param rootAllowed the node allows tasks to run as root
     * @throws IllegalArgumentException with the reason the task cannot start (as its FAILED reason says it)
     */
    public static ImageLaunch of(TaskSpec spec, ImageConfig config, ImageUsers users, String defaultUser,
                                 String agentUser, boolean rootAllowed) {
        List<String> command = new ArrayList<>();
        if (spec.cmd() != null && !spec.cmd().isBlank()) {
            command.addAll(List.of("/bin/sh", "-c", spec.cmd()));
        } else if (!spec.args().isEmpty()) {
            command.addAll(config.entrypoint());
            command.addAll(spec.args());
        } else {
            command.addAll(config.entrypoint());
            command.addAll(config.cmd());
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the image has neither Entrypoint nor Cmd, and the app gives no "
                    + "cmd or args");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : config.env()) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        ImageUsers.ImageUser user;
        if (spec.user() != null) {
            user = users.resolve(spec.user());
        } else if (config.user() != null && !config.user().isBlank()) {
            user = users.resolve(config.user());
            if (user.isRoot() && !rootAllowed) {
                throw new IllegalArgumentException("the image runs as root (User \"" + config.user()
                        + "\"), and this node does not allow root tasks (berth.agent.allowed-users); set the app's "
                        + "\"user\" to one it allows");
            }
        } else {
            user = users.resolve(defaultUser != null ? defaultUser : agentUser);
        }
        if (user.isRoot() && !rootAllowed) {
            throw new IllegalArgumentException("user '" + user.name() + "' is root in the image, and this node does "
                    + "not allow root tasks (berth.agent.allowed-users)");
        }
        String workingDir = config.workingDir();
        return new ImageLaunch(command, env, user, workingDir == null || workingDir.isBlank()
                ? Optional.empty() : Optional.of(workingDir.startsWith("/") ? workingDir : "/" + workingDir));
    }
}
