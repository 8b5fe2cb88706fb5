package dev.berth.agent.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Who a user named for an image task is, by the image's own {@code /etc/passwd} and {@code /etc/group}
 * (Docker's rule): the image's files are owned by its own numbers, which the host's user database need not
 * know. A name the image does not know is looked up on the node (the node's default user, {@code nobody},
 * runs images that have no {@code /etc/passwd} at all, as a scratch image has not); numbers need no lookup.
 * The files are read from the topmost layer that has them; a layer that deleted one (a whiteout) hides
 * those below.
 */
public final class ImageUsers {
    private final List<Path> layersTopFirst;
    private final Function<String, Optional<ImageUser>> nodeLookup;

    /**
     * @param layersTopFirst the image's unpacked layers, the top one first
     * @param nodeLookup     the node's own entry for a name (getent), for names the image does not have
     */
    public ImageUsers(List<Path> layersTopFirst, Function<String, Optional<ImageUser>> nodeLookup) {
        this.layersTopFirst = List.copyOf(layersTopFirst);
        this.nodeLookup = nodeLookup;
    }

    /** A user as the task gets it: its name (or its number, where none is known), uid, gid and home. */
    public record ImageUser(String name, int uid, int gid, String home) {
        public boolean isRoot() {
            return uid == 0;
        }
    }

    /**
     * {@code name}, {@code uid}, {@code name:group}, {@code uid:gid} (Docker's forms of {@code User}).
     *
     * @throws IllegalArgumentException naming what is unknown, when neither the image nor the node knows it
     */
    public ImageUser resolve(String spec) {
        String userPart = spec;
        String groupPart = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            userPart = spec.substring(0, colon);
            groupPart = spec.substring(colon + 1);
        }
        ImageUser user;
        Optional<String[]> entry = entry("etc/passwd", userPart);
        if (entry.isPresent()) {
            String[] fields = entry.get();
            user = new ImageUser(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3]),
                    fields.length > 5 && !fields[5].isEmpty() ? fields[5] : "/");
        } else if (isNumber(userPart)) {
            int uid = Integer.parseInt(userPart);
            user = new ImageUser(userPart, uid, uid, "/");
        } else {
            user = nodeLookup.apply(userPart).orElseThrow(() -> new IllegalArgumentException("user '" + spec
                    + "' is neither in the image's /etc/passwd nor on this node"));
        }
        if (groupPart == null || groupPart.isEmpty()) {
            return user;
        }
        int gid;
        Optional<String[]> group = entry("etc/group", groupPart);
        if (group.isPresent()) {
            gid = Integer.parseInt(group.get()[2]);
        } else if (isNumber(groupPart)) {
            gid = Integer.parseInt(groupPart);
        } else {
            throw new IllegalArgumentException("group '" + groupPart + "' of user '" + spec
                    + "' is not in the image's /etc/group");
        }
        return new ImageUser(user.name(), user.uid(), gid, user.home());
    }

    /**
     * The line of a passwd or group file whose name (field 0) or number (field 2) is {@code key}; a passwd
     * line also needs a numeric gid (field 3). Names first: a user named "1000" is rare, but wins.
     */
    private Optional<String[]> entry(String file, String key) {
        Optional<Path> found = topmost(file);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        List<String[]> lines;
        try {
            lines = Files.readAllLines(found.get(), StandardCharsets.UTF_8).stream()
                    .map(line -> line.split(":", -1))
                    .filter(f -> f.length >= 3 && isNumber(f[2]) && (!file.endsWith("passwd")
                            || (f.length >= 4 && isNumber(f[3]))))
                    .toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        return lines.stream().filter(f -> f[0].equals(key)).findFirst()
                .or(() -> lines.stream().filter(f -> f[2].equals(key)).findFirst());
    }

    /** The file in the highest layer that has it, unless a higher layer deleted it (an overlay whiteout). */
    private Optional<Path> topmost(String file) {
        for (Path layer : layersTopFirst) {
            Path candidate = layer.resolve(file);
            if (Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.of(candidate);
            }
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty(); // a whiteout or something else: the file is not there
            }
        }
        return Optional.empty();
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() < 10 && text.chars().allMatch(Character::isDigit);
    }
}
