package dev.berth.testkit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link LayerTar}'s entries as an unpacker reads them, and the same bytes for the same calls. */
class LayerTarTest {

    @Test
    void writesEachEntryWithItsTypeModeAndOwner() throws IOException {
        byte[] layer = LayerTar.create()
                .dir("/etc/", 0755)
                .file("etc/hosts", "127.0.0.1 localhost\n", 0640)
                .symlink("etc/localtime", "/usr/share/zoneinfo/UTC")
                .whiteout("/var/cache/old")
                .opaque("srv")
                .random("data/blob", 100_003, 7)
                .bytes();

        Map<String, TarArchiveEntry> entries = entries(layer);

        assertEquals(List.of("etc/", "etc/hosts", "etc/localtime", "var/cache/.wh.old",
                "srv/.wh..wh..opq", "data/blob"), List.copyOf(entries.keySet()));
        assertEquals(0755, entries.get("etc/").getMode() & 07777);
        assertTrue(entries.get("etc/").isDirectory());
        assertEquals(0640, entries.get("etc/hosts").getMode() & 07777);
        assertEquals("/usr/share/zoneinfo/UTC", entries.get("etc/localtime").getLinkName());
        assertEquals(0, entries.get("var/cache/.wh.old").getSize());
        assertEquals(100_003, entries.get("data/blob").getSize());
        entries.values().forEach(entry -> {
            assertEquals(0, entry.getLongUserId());
            assertEquals(0, entry.getModTime().getTime());
        });
    }

    @Test
    void givesTheSameBytesForTheSameSeedAndOthersForAnother() {
        byte[] once = LayerTar.create().random("blob", 1 << 20, 42).bytes();
        byte[] again = LayerTar.create().random("blob", 1 << 20, 42).bytes();
        byte[] other = LayerTar.create().random("blob", 1 << 20, 43).bytes();

        assertArrayEquals(once, again);
        assertNotEquals(Digests.sha256(once), Digests.sha256(other));
        // random bytes do not compress: the layer is about as big as the file
        assertTrue(once.length > (1 << 20));
    }

    private static Map<String, TarArchiveEntry> entries(byte[] tarGz) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                entries.put(entry.getName(), entry);
            }
        }
        return entries;
    }
}
