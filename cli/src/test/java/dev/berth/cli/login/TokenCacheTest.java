package dev.berth.cli.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenCacheTest {
    @TempDir
    Path dir;

    private static Login login(String token) {
        return new Login(Login.Grant.PASSWORD, "http://kc/realms/berth", "http://kc/token", null, "berth-cli", null,
                token, 2_000_000_000L, "refresh", 0);
    }

    @Test
    void theFileIsReadableByItsOwnerOnly() throws Exception {
        TokenCache cache = new TokenCache(dir.resolve("berth"));

        cache.write("http://gw:8080", login("a"));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("berth"))));
    }

    @Test
    void loginsAreKeptPerGateway() {
        TokenCache cache = new TokenCache(dir);
        cache.write("http://one:8080", login("a"));
        cache.write("http://two:8080", login("b"));

        assertEquals("a", cache.read("http://one:8080").orElseThrow().accessToken());
        assertEquals("b", cache.read("http://two:8080").orElseThrow().accessToken());
        assertTrue(cache.remove("http://one:8080"));
        assertFalse(cache.read("http://one:8080").isPresent());
        assertTrue(cache.read("http://two:8080").isPresent());
    }

    @Test
    void theDirectoryIsBerthConfigDirElseXdgElseHome() {
        Path home = Path.of("/home/otto");

        assertEquals(Path.of("/tmp/b"), TokenCache.directory(Map.of("BERTH_CONFIG_DIR", "/tmp/b", "XDG_CONFIG_HOME", "/x"), home));
        assertEquals(Path.of("/x/berth"), TokenCache.directory(Map.of("XDG_CONFIG_HOME", "/x"), home));
        assertEquals(Path.of("/home/otto/.config/berth"), TokenCache.directory(Map.of(), home));
    }

    @Test
    void anUnreadableFileIsNoLogin() throws Exception {
        Files.writeString(dir.resolve(TokenCache.FILE), "not json");

        assertFalse(new TokenCache(dir).read("http://gw:8080").isPresent());
    }
}
