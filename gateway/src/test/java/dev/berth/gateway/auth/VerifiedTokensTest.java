package dev.berth.gateway.auth;

import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import org.junit.jupiter.api.Test;

import java.security.Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class VerifiedTokensTest {
    private Instant now = Instant.parse("2026-11-25T12:00:00Z");
    private final VerifiedTokens tokens = new VerifiedTokens(new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    @Test
    void aTokenIsAnsweredUntilItsExpiryAndNeverAfter() {
        tokens.remember("t1", identity("otto"), now.plusSeconds(300));
        assertEquals("otto", tokens.find("t1").getPrincipal().getName());
        assertEquals(java.util.Set.of("berth-operator"), tokens.find("t1").getRoles());

        now = now.plusSeconds(299);
        assertNotNull(tokens.find("t1"));
        now = now.plusSeconds(1);
        assertNull(tokens.find("t1"), "not at its exp");
        assertEquals(0, tokens.size(), "and forgotten");
    }

    @Test
    void anUnknownOrAlreadyExpiredTokenIsNeverAnswered() {
        assertNull(tokens.find("never-verified"));
        tokens.remember("late", identity("vera"), now.minusSeconds(1));
        assertNull(tokens.find("late"));
    }

    @Test
    void beyondItsCapacityExpiredTokensMakeRoomAndLiveOnesAreNotDisplaced() {
        for (int i = 0; i < VerifiedTokens.CAPACITY; i++) {
            tokens.remember("t" + i, identity("u"), now.plus(Duration.ofSeconds(i < 10 ? 1 : 300)));
        }
        tokens.remember("one-more", identity("u"), now.plusSeconds(300));
        assertNull(tokens.find("one-more"), "full of live tokens: the new one is just verified each time");

        now = now.plusSeconds(2); // the first ten have expired
        tokens.remember("one-more", identity("u"), now.plusSeconds(300));
        assertNotNull(tokens.find("one-more"));
        assertNotNull(tokens.find("t10"));
        assertEquals(VerifiedTokens.CAPACITY - 10 + 1, tokens.size());
    }

    private static QuarkusSecurityIdentity identity(String name) {
        Principal principal = () -> name;
        return QuarkusSecurityIdentity.builder().setPrincipal(principal).addRole("berth-operator").build();
    }
}
