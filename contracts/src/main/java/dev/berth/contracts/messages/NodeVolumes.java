package dev.berth.contracts.messages;

import java.util.List;

/**
 * What a node offers for volumes.
 *
 * @param providers    the volume drivers the node can serve ({@code local}, {@code sharedfs}); empty
 *                     where the agent cannot mount into tasks (no mount namespaces)
 * @param leaseMillis  how long the node's tasks with external volumes keep running without a
 *                     heartbeat the broker acknowledged: a node cut off longer stops them itself. The
 *                     scheduler moves such a volume only once this has surely passed.
 */
public record NodeVolumes(List<String> providers, long leaseMillis) {
    public static final NodeVolumes NONE = new NodeVolumes(List.of(), 0);

    public NodeVolumes {
        providers = providers == null ? List.of() : List.copyOf(providers);
    }
}
