package dev.berth.cli.login;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The logins of this user, one per gateway URL, in {@code tokens.json} of the configuration directory:
 * {@code $BERTH_CONFIG_DIR}, else {@code $XDG_CONFIG_HOME/berth}, else {@code ~/.config/berth}. Tokens
 * are as good as a password for their lifetime, so the file is readable by its owner only (0600, in a
 * 0700 directory) and replaced whole by an atomic move, never left half-written or briefly open to others.
 */
public final class TokenCache {
    static final String FILE = "tokens.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<TreeMap<String, Login>> LOGINS = new TypeReference<>() {
    };
    private final Path directory;

    public TokenCache(Path directory) {
        this.directory = directory;
    }

    /** The directory the environment names (see the class comment); {@code home} is the user's home. */
    public static Path directory(Map<String, String> env, Path home) {
        String own = env.get("BERTH_CONFIG_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "berth");
        }
        return home.resolve(".config").resolve("berth");
    }

    public Path file() {
        return directory.resolve(FILE);
    }

    public Optional<Login> read(String gatewayUrl) {
        return Optional.ofNullable(readAll().get(gatewayUrl));
    }

    public void write(String gatewayUrl, Login login) {
        TreeMap<String, Login> logins = readAll();
        logins.put(gatewayUrl, login);
        writeAll(logins);
    }

    /** Forgets the gateway's login; true when there was one. */
    public boolean remove(String gatewayUrl) {
        TreeMap<String, Login> logins = readAll();
        boolean had = logins.remove(gatewayUrl) != null;
        if (had) {
            writeAll(logins);
        }
        return had;
    }

    private TreeMap<String, Login> readAll() {
        Path file = file();
        if (!Files.isRegularFile(file)) {
            return new TreeMap<>();
        }
        try {
            return MAPPER.readValue(file.toFile(), LOGINS);
        } catch (IOException e) {
            // A file this program cannot read is treated as no login: `berth login` writes a good one.
            return new TreeMap<>();
        }
    }

    private void writeAll(TreeMap<String, Login> logins) {
        try {
            createPrivateDirectory();
            Path temp = Files.createTempFile(directory, ".tokens", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                MAPPER.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), logins);
                try {
                    Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file(), StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file(), e);
        }
    }

    private void createPrivateDirectory() throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Files.createDirectories(directory.getParent() == null ? directory : directory.getParent());
        try {
            Files.createDirectory(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // Another berth made it meanwhile: fine.
        }
    }
}
