package dev.berth.agent.isolation;

import dev.berth.contracts.app.Isolation;
import dev.berth.contracts.messages.NodeConfinement;
import dev.berth.contracts.messages.TaskSpec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How this node keeps a task inside its own world beyond cgroups and namespaces: a root of its own
 * (where the host allows it, see {@link OwnRoot}), and who it may run as. The scheduler places apps by
 * the same rules ({@link NodeConfinement}, sent in every node report); the agent checks them again at
 * launch, since a command may come from a scheduler that saw an older report.
 *
 * @param ownRoot     present where each task gets its own root
 * @param ownRootWhy  what the start-up probe found, said in the log and in refusals
 * @param users       the user policy; empty for a runtime that keeps the agent's user (tests of other parts)
 */
public record TaskConfinement(Optional<OwnRoot> ownRoot, String ownRootWhy, Optional<Users> users) {

    /**
     * The users of this node's tasks.
     *
     * @param defaultUser who a task whose app names no user runs as
     * @param allowed     who an app may name (the default user among them)
     */
    public record Users(String defaultUser, Set<String> allowed) {
        public Users {
            Set<String> all = new LinkedHashSet<>();
            all.add(defaultUser);
            all.addAll(allowed);
            allowed = Set.copyOf(all);
        }

        /**
         * From the agent's settings: {@code berth.agent.default-user} and {@code berth.agent.allowed-users}
         * (comma-separated; unset: {@code nobody} and the default user).
         */
        public static Users of(String defaultUser, Optional<String> allowedList) {
            Set<String> allowed = new LinkedHashSet<>();
            allowed.add("nobody");
            allowedList.filter(list -> !list.isBlank()).ifPresent(list -> {
                allowed.clear();
                for (String name : list.split(",")) {
                    if (!name.isBlank()) {
                        allowed.add(name.trim());
                    }
                }
            });
            return new Users(defaultUser, allowed);
        }
    }

    /** The agent's own user for every task, any user allowed, no own root: plain processes as before. */
    public static TaskConfinement none() {
        return new TaskConfinement(Optional.empty(), "not asked for", Optional.empty());
    }

    /** Who the task runs as: the app's user, else the node's default; null: the agent's own user. */
    public String userOf(TaskSpec spec) {
        if (spec.user() != null) {
            return spec.user();
        }
        return users.map(Users::defaultUser).orElse(null);
    }

    /** Why this node will not run the task, if it will not: a user it does not allow, or a root it cannot give. */
    public Optional<String> refusal(TaskSpec spec) {
        if (spec.user() != null && users.isPresent() && !users.get().allowed().contains(spec.user())) {
            return Optional.of("user '" + spec.user() + "' is not allowed on this node (berth.agent.allowed-users: "
                    + String.join(", ", sorted(users.get().allowed())) + ")");
        }
        if (spec.isolation().filesystem() == Isolation.Filesystem.REQUIRED && ownRoot.isEmpty()) {
            return Optional.of("the app requires its own root file system, and this node cannot give one ("
                    + ownRootWhy + ")");
        }
        return Optional.empty();
    }

    /** What the node reports; {@code canSwitchUsers} false: every task runs as {@code agentUser}. */
    public NodeConfinement report(boolean canSwitchUsers, String agentUser) {
        String filesystem = ownRoot.isPresent() ? NodeConfinement.OWN_ROOT : NodeConfinement.HOST_ROOT;
        if (!canSwitchUsers || users.isEmpty()) {
            return new NodeConfinement(filesystem, agentUser, List.of(agentUser));
        }
        return new NodeConfinement(filesystem, users.get().defaultUser(), sorted(users.get().allowed()));
    }

    private static List<String> sorted(Set<String> names) {
        List<String> list = new ArrayList<>(names);
        list.sort(null);
        return list;
    }
}
