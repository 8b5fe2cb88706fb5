package dev.berth.contracts.app;

import java.util.Locale;

/**
 * Names of stateful instances and their volumes, computed the same way by every service so that a
 * redelivered command or a scheduler that took over arrives at the same ids.
 *
 * <ul>
 *   <li>identity of instance {@code i} of {@code /team-a/db}: {@code db-i};</li>
 *   <li>local volume: {@code team-a_db.db-0.data} (app path, identity, container path made a name);</li>
 *   <li>external volume: {@code pgdata-0} (the external name and the instance);</li>
 *   <li>a volume made afresh by a replacement of its identity gets {@code ~1}, {@code ~2}, … appended.</li>
 * </ul>
 * Every id is made of {@code [a-z0-9._~-]}, safe in a URL path and as a directory name.
 */
public final class Volumes {
    public static final String LOCAL_PROVIDER = "local";

    private Volumes() {
    }

    /** {@code /team-a/db}, 2 → {@code db-2}. */
    public static String identity(String appId, int instance) {
        return appId.substring(appId.lastIndexOf('/') + 1) + "-" + instance;
    }

    /** The instance number of an identity of this app, or -1 when it is not one. */
    public static int instanceOf(String appId, String identity) {
        String prefix = appId.substring(appId.lastIndexOf('/') + 1) + "-";
        if (identity == null || !identity.startsWith(prefix)) {
            return -1;
        }
        String number = identity.substring(prefix.length());
        if (number.isEmpty() || number.length() > 6 || !number.chars().allMatch(Character::isDigit)
                || (number.length() > 1 && number.charAt(0) == '0')) {
            return -1;
        }
        return Integer.parseInt(number);
    }

    /** The id of the volume {@code volume} of instance {@code instance}, made afresh {@code generation} times. */
    public static String volumeId(String appId, int instance, AppVolume volume, int generation) {
        String base = volume.isExternal()
                ? volume.external().name() + "-" + instance
                : appId.substring(1).replace('/', '_') + "." + identity(appId, instance) + "."
                + pathName(volume.containerPath());
        return generation == 0 ? base : base + "~" + generation;
    }

    /** The volume's name within its identity: the external name, or the container path made a name. */
    public static String volumeName(String appId, int instance, AppVolume volume) {
        return volume.isExternal() ? volume.external().name() + "-" + instance : pathName(volume.containerPath());
    }

    /** {@code /var/lib/pg} → {@code var-lib-pg}; {@code data} → {@code data}. */
    public static String pathName(String containerPath) {
        String name = containerPath.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        return name.isEmpty() ? "volume" : name;
    }
}
