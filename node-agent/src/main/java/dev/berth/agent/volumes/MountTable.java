package dev.berth.agent.volumes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mounts of the agent's own mount namespace, from {@code /proc/self/mountinfo}: whether a volume's
 * image is mounted already (by this agent process, or by one before it), without asking mount(8); and
 * whether anything is mounted under a sandbox the agent is about to remove.
 */
public final class MountTable {
    static final Path SELF = Path.of("/proc/self/mountinfo");

    /** One line of mountinfo: where, what file system, from what source ({@code /dev/loop3}). */
    public record Mount(Path mountPoint, String fsType, String source) {
    }

    private MountTable() {
    }

    public static List<Mount> read() throws IOException {
        return parse(Files.readString(SELF, StandardCharsets.UTF_8));
    }

    /** The mount at exactly {@code mountPoint} (the last one, which is what the path shows), if any. */
    static Optional<Mount> at(Path mountPoint) throws IOException {
        Path wanted = mountPoint.toAbsolutePath().normalize();
        Mount found = null;
        for (Mount mount : read()) {
            if (mount.mountPoint().equals(wanted)) {
                found = mount;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue}: the mount
     * point is the fifth field; after the lone {@code -} come the file system type and the source.
     */
    static List<Mount> parse(String mountinfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ");
            int dash = List.of(fields).indexOf("-");
            if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(Path.of(unescape(fields[4])), fields[dash + 1], unescape(fields[dash + 2])));
        }
        return mounts;
    }

    /** The kernel writes space, tab, newline and backslash in paths as octal escapes ({@code \040}). */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
