package dev.berth.agent.isolation;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;

/**
 * The {@code /etc} every task of this node sees: a copy of the host's, reduced to what programs need
 * (users and groups by name, name resolution, the dynamic linker's cache, time zone, certificates,
 * the Debian alternatives…), made once at agent start under the work dir and bound read-only into each
 * task's root. An allow-list, not a deny-list, so that a file an installation drops into the host's
 * {@code /etc} (a key, a token, Berth's own configuration) never reaches a task unless the operator
 * names it; {@code shadow} and {@code gshadow} are refused even when named.
 */
public final class TaskEtc {
    /** What a process commonly reads from /etc; the agent setting {@code berth.agent.task-etc} replaces it. */
    public static final List<String> DEFAULT_ENTRIES = List.of("passwd", "group", "hosts", "resolv.conf",
            "nsswitch.conf", "host.conf", "gai.conf", "services", "protocols", "ld.so.cache", "ld.so.conf",
            "ld.so.conf.d", "localtime", "timezone", "ssl", "ca-certificates", "ca-certificates.conf", "alternatives",
            "mime.types", "os-release", "debian_version", "profile", "bash.bashrc", "inputrc", "environment",
            "java-17-openjdk", "python3", "python3.11", "magic", "mailcap");
    /** Never copied, whatever the setting says: they hold password hashes. */
    static final Set<String> NEVER = Set.of("shadow", "shadow-", "gshadow", "gshadow-");

    private TaskEtc() {
    }

    /**
     * Refreshes {@code target} from {@code hostEtc}: each entry copied (a directory whole, links kept as
     * links), written beside and renamed into place so a running task never reads half a file.
     *
     * @return the entries that were copied (missing ones are skipped)
     */
    public static List<String> prepare(Path hostEtc, Path target, List<String> entries) throws IOException {
        Files.createDirectories(target);
        List<String> copied = new java.util.ArrayList<>();
        for (String entry : entries) {
            String name = entry.trim();
            if (name.isEmpty() || NEVER.contains(name) || name.contains("/") || name.startsWith(".")) {
                continue;
            }
            Path source = hostEtc.resolve(name);
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            copy(source, target.resolve(name));
            copied.add(name);
        }
        // A task's /etc/hosts is its own (its hostname), bound over this one: the file must exist.
        if (!Files.exists(target.resolve("hosts"))) {
            Files.writeString(target.resolve("hosts"), "127.0.0.1\tlocalhost\n");
        }
        return copied;
    }

    private static void copy(Path source, Path target) throws IOException {
        if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            Files.walkFileTree(source, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (!NEVER.contains(file.getFileName().toString())) {
                        copyOne(file, target.resolve(source.relativize(file).toString()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // unreadable (a private key): not the task's anyway
                }
            });
            return;
        }
        copyOne(source, target);
    }

    private static void copyOne(Path source, Path target) throws IOException {
        Path next = target.resolveSibling("." + target.getFileName() + ".new");
        Files.deleteIfExists(next);
        if (Files.isSymbolicLink(source)) {
            Files.createSymbolicLink(next, Files.readSymbolicLink(source));
        } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(source)
                && isWorldReadable(source)) {
            Files.copy(source, next, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        } else {
            return; // sockets, devices, and files only root may read (keys): not for tasks
        }
        Files.move(next, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean isWorldReadable(Path file) throws IOException {
        return Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
    }
}
