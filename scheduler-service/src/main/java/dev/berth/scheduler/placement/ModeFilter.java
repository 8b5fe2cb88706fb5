package dev.berth.scheduler.placement;

/**
 * Only READY nodes take new tasks. Runs first: it reads one field, and a draining node should be
 * reported as draining, not as full.
 */
final class ModeFilter implements NodeFilter {
    static final ModeFilter INSTANCE = new ModeFilter();

    static final String DRAINING = "node draining";
    static final String UNREACHABLE = "node unreachable";

    private ModeFilter() {
    }

    @Override
    public String name() {
        return "mode";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        return switch (node.mode()) {
            case READY -> null;
            case DRAINING -> DRAINING;
            case UNREACHABLE -> UNREACHABLE;
        };
    }
}
