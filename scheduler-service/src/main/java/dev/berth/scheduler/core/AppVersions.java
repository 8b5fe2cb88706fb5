package dev.berth.scheduler.core;

import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;

import java.util.ArrayList;
import java.util.List;

/**
 * The history of each app's definitions on {@code berth.app-versions}: one {@link AppVersion} for every
 * new {@link AppState} the scheduler records (none for the state that marks the app deleted), the
 * latest {@link #KEPT} per app, and none once the app is gone. Written next to the state it mirrors,
 * in the same transaction, so the history never shows a version {@code berth.apps} did not accept.
 */
final class AppVersions {
    /** Versions kept per app: enough to look back and roll back, bounded so a busy app's history stays small. */
    static final int KEPT = 50;

    private AppVersions() {
    }

    /**
     * What to write for a newly recorded state: its version and, once more than {@link #KEPT} exist,
     * the tombstone of the one that falls out.
     *
     * @param change what made it ({@link AppVersion#UPDATED} …); null to tell from the states
     */
    static List<Action> recorded(AppState before, AppState after, String change) {
        if (after.deleting() || (before != null && before.version() == after.version())) {
            return List.of();
        }
        List<Action> actions = new ArrayList<>(2);
        actions.add(new Action.RecordVersion(AppVersion.of(after, change != null ? change : change(before, after))));
        if (after.version() > KEPT) {
            actions.add(new Action.RemoveVersion(after.appId(), after.version() - KEPT));
        }
        return actions;
    }

    /** The app is gone: tombstones for every version still kept. */
    static List<Action> removed(AppState last) {
        // The state that marked it deleted has no version of its own: the history ends just before it.
        long newest = last.deleting() ? last.version() - 1 : last.version();
        List<Action> actions = new ArrayList<>();
        for (long v = Math.max(1, newest - KEPT + 1); v <= newest; v++) {
            actions.add(new Action.RemoveVersion(last.appId(), v));
        }
        return actions;
    }

    /**
     * What made a new version when the caller does not say: {@code created}, {@code replaced} (an
     * identity given fresh volumes), {@code restarted} (tasks made outdated, definition unchanged),
     * {@code scaled} (only the instance count differs), else {@code updated}.
     */
    static String change(AppState before, AppState after) {
        if (before == null) {
            return AppVersion.CREATED;
        }
        if (!after.generations().equals(before.generations())) {
            return AppVersion.REPLACED;
        }
        if (after.definition().equals(before.definition())) {
            return after.configVersion() != before.configVersion() ? AppVersion.RESTARTED : AppVersion.UPDATED;
        }
        if (after.definition().withInstances(before.definition().instances()).equals(before.definition())) {
            return AppVersion.SCALED;
        }
        return AppVersion.UPDATED;
    }
}
