package dev.berth.scheduler.placement;

/**
 * The node lets tasks run as the user the app names. Tasks run unprivileged, as the node's default
 * user ({@code nobody} unless its operator chose another); a named user is honoured only where the
 * node's agent allows it ({@code berth.agent.allowed-users}), and {@code root} only where an operator
 * allowed that too. Elsewhere the task waits and the queue says which user was refused, as for any
 * other constraint, rather than being launched and failing on the node. An app that names no user
 * runs as the node's default user, which every node allows, so it passes without a look at the node.
 * A lookup in the node's short list of users.
 */
final class UserFilter implements NodeFilter {
    static final UserFilter INSTANCE = new UserFilter();

    private UserFilter() {
    }

    @Override
    public String name() {
        return "user";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        String user = task.request().user();
        return user == null || node.info().confinement().allows(user) ? null : task.userReason;
    }

    /** The reason a node gives when it does not let tasks run as {@code user}. */
    static String reason(String user) {
        return "user " + user + " not allowed";
    }
}
