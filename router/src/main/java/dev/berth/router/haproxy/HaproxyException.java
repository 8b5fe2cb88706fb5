package dev.berth.router.haproxy;

/**
 * A fault of the data plane: haproxy did not start, did not answer, or died. {@link #retryable()} says
 * whether applying the same routes again can help (a worker slow to answer) or not (a refused
 * configuration stays refused).
 */
public class HaproxyException extends RuntimeException {
    private final boolean retryable;

    public HaproxyException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public HaproxyException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public boolean retryable() {
        return retryable;
    }
}
