package dev.berth.agent.image;

/**
 * An image could not be pulled or unpacked. Its message is written for the operator, since it becomes
 * the failure message of the task that needed the image; its {@link Reason} says whether trying again can help.
 */
public class ImagePullException extends Exception {
    /** Why a pull failed. */
    public enum Reason {
        /** The registry has no such repository, tag, digest or blob. */
        NOT_FOUND(false),
        /** The registry wants credentials, or refused the ones configured. */
        UNAUTHORIZED(false),
        /** Downloaded bytes are not what their digest or size promised (a broken registry or proxy). */
        DIGEST_MISMATCH(true),
        /** The registry could not be reached in time, or answered with a server error. */
        UNREACHABLE(true),
        /** The image is of a kind the agent cannot run: no linux/amd64 variant, a media type or compression it does not know. */
        UNSUPPORTED(false),
        /** The image breaks the format's rules (a layer entry that would land outside its layer, an unreadable tar). */
        INVALID(false),
        /** The node's own disk failed us (cannot write the image store). */
        LOCAL_IO(true);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether a later attempt may succeed without anyone changing the image or the configuration. */
        public boolean retryable() {
            return retryable;
        }
    }

    private final Reason reason;

    public ImagePullException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImagePullException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
