package dev.berth.contracts.messages;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fresh message ids. One place, so the format can change without touching every writer.
 *
 * <p>Ids are UUIDs in the version 7 layout: 48 bits of milliseconds since the epoch, then 74 random
 * bits. They sort by creation time, and cost a fraction of {@link UUID#randomUUID()}, which draws
 * every id from the operating system's secure random source: at tens of thousands of messages a
 * second that was a tenth of the scheduler's time. The random bits come from
 * {@link ThreadLocalRandom} (distinct sequences per thread) mixed with a salt drawn once per process
 * from {@link SecureRandom} (distinct between processes), so ids do not collide in practice (two
 * would also need the same millisecond); ids are not secrets.
 */
public final class Ids {
    private static final long PROCESS_SALT = new SecureRandom().nextLong();

    private Ids() {
    }

    public static String newId() {
        return newUuid().toString();
    }

    /** A version 7 UUID (RFC 9562): time-ordered, random below the millisecond. */
    public static UUID newUuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = ((random.nextLong() ^ PROCESS_SALT) & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
