package dev.berth.agent.health;

/**
 * What one probe saw.
 *
 * @param passed whether the check passed
 * @param detail in a few words: {@code HTTP 200}, {@code connection refused}, {@code timed out after 1 s},
 *               {@code exit code 1}
 */
record ProbeResult(boolean passed, String detail) {

    static ProbeResult pass(String detail) {
        return new ProbeResult(true, detail);
    }

    static ProbeResult fail(String detail) {
        return new ProbeResult(false, detail);
    }

    static ProbeResult timedOut(int seconds) {
        return fail("timed out after " + seconds + " s");
    }
}
