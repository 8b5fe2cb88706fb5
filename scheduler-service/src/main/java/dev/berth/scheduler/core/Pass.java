package dev.berth.scheduler.core;

import java.time.Instant;
import java.util.Map;

/**
 * What one pass of a reconciler over an app came to, handed to {@link Changes#conclude}: it decides the
 * app's queue entry, whether its placements are searched again, and whether the app is looked at on
 * every tick. A value of its own because both reconcilers report the same things.
 *
 * @param waiting      instances not placed (waiting for room, a node, a lease or a delay)
 * @param reasons      why, counted
 * @param delayedUntil the end of the app's backoff, if it backs off
 * @param unplacedAny  a search found no room: not searched again until room may have appeared
 * @param keepVerdict  no search was made because the last one found no room: that verdict stands
 * @param underWay     something moves (a restart): the app is looked at again even if nothing waits
 */
record Pass(int waiting, Map<String, Integer> reasons, Instant delayedUntil, boolean unplacedAny,
            boolean keepVerdict, boolean underWay) {
}
