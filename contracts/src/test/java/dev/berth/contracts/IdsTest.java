package dev.berth.contracts;

import dev.berth.contracts.messages.Ids;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {
    @Test
    void idsAreVersionSevenUuidsWithTheVariantOfRfc9562() {
        UUID id = Ids.newUuid();

        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(id, UUID.fromString(id.toString()));
    }

    @Test
    void aMillionIdsAreAllDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000_000; i++) {
            assertTrue(seen.add(Ids.newId()));
        }
    }

    @Test
    void idsCarryTheMillisecondTheyWereMadeIn() {
        long before = System.currentTimeMillis();
        UUID id = Ids.newUuid();
        long after = System.currentTimeMillis();

        long millis = id.getMostSignificantBits() >>> 16;
        assertTrue(millis >= before && millis <= after, millis + " not in [" + before + ", " + after + "]");
    }
}
