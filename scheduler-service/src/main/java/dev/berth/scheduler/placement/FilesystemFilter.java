package dev.berth.scheduler.placement;

/**
 * An app with {@code "isolation": {"filesystem": "required"}} runs only where each task gets a root
 * file system of its own ({@code pivot_root}: read-only system directories, its sandbox, its volumes)
 * and never sees the host's files. A node whose kernel or agent privileges cannot give one says so in
 * its reports ({@code host}); a node that says nothing is taken as one that cannot. The task waits
 * with the reason rather than landing where its files would be open to the host. One flag of the
 * task and, only when it is set, one field of the node.
 */
final class FilesystemFilter implements NodeFilter {
    static final FilesystemFilter INSTANCE = new FilesystemFilter();

    static final String NO_OWN_ROOT = "no own root file system for tasks";

    private FilesystemFilter() {
    }

    @Override
    public String name() {
        return "filesystem";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        return !task.ownRootRequired || node.info().confinement().ownRoot() ? null : NO_OWN_ROOT;
    }
}
