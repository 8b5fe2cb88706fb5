package dev.berth.contracts.messages;

import java.util.List;

/**
 * What a node does to keep a task inside its own world, beyond cgroups: whether each task gets a root
 * file system of its own, and which users tasks may run as there. Sent in every node report, so the
 * scheduler places an app only where its {@code user} and its {@code isolation.filesystem} are allowed.
 *
 * @param filesystem   {@value #OWN_ROOT} (each task is {@code pivot_root}ed into a root of its own: only
 *                     read-only system directories, its sandbox and its volumes) or {@value #HOST_ROOT}
 *                     (the kernel or the agent's privileges do not allow it: tasks see the host's files)
 * @param defaultUser  who a task whose app names no {@code user} runs as ({@code nobody} unless the
 *                     operator chose another); null when the agent cannot switch users
 * @param allowedUsers the users an app may name here (the default user among them); {@code root} only
 *                     where the operator allowed it
 */
public record NodeConfinement(String filesystem, String defaultUser, List<String> allowedUsers) {
    public static final String OWN_ROOT = "own-root";
    public static final String HOST_ROOT = "host";
    /** What a node that reports nothing is taken to do: nothing. No app naming a user goes there. */
    public static final NodeConfinement NONE = new NodeConfinement(HOST_ROOT, null, List.of());

    public NodeConfinement {
        filesystem = filesystem == null || filesystem.isBlank() ? HOST_ROOT : filesystem;
        allowedUsers = allowedUsers == null ? List.of() : List.copyOf(allowedUsers);
    }

    /** True when each task gets its own root file system. */
    public boolean ownRoot() {
        return OWN_ROOT.equals(filesystem);
    }

    /** True when an app may name {@code user} here (null: the node's default user, always allowed). */
    public boolean allows(String user) {
        return user == null || user.equals(defaultUser) || allowedUsers.contains(user);
    }
}
