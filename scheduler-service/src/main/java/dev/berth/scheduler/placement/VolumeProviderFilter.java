package dev.berth.scheduler.placement;

import java.util.Set;

/**
 * The node serves every volume driver the task's volumes need ({@code local}, {@code sharedfs}): an
 * agent without mount namespaces serves none, and a node without the shared mount cannot serve
 * {@code sharedfs}. A set lookup per driver; a task without volumes passes at once.
 */
final class VolumeProviderFilter implements NodeFilter {
    static final VolumeProviderFilter INSTANCE = new VolumeProviderFilter();

    private VolumeProviderFilter() {
    }

    @Override
    public String name() {
        return "volume-providers";
    }

    @Override
    public String reject(TaskContext task, NodeView node) {
        String[] needed = task.volumeProviders;
        if (needed.length == 0) {
            return null;
        }
        Set<String> offered = node.info().volumeProviders();
        for (int i = 0; i < needed.length; i++) {
            if (!offered.contains(needed[i])) {
                return task.volumeProviderReasons[i];
            }
        }
        return null;
    }

    /** The reason a node gives when it lacks {@code provider}. */
    static String reason(String provider) {
        return "no volume provider " + provider;
    }
}
