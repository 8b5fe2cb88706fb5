package dev.berth.agent.image;

/**
 * What a pull is doing, for the task's status while it waits for its image (a large image can take
 * minutes, and "STARTING" alone does not tell an operator whether anything moves).
 */
public interface PullProgress {
    /** The steps of a pull; {@link #DOWNLOADING} and {@link #UNPACKING} alternate layer by layer. */
    enum Phase {
        /** Asking the registry for the manifest. */
        RESOLVING,
        /** Receiving blobs; {@link #bytes} tells how far. */
        DOWNLOADING,
        /** Writing a layer's files. */
        UNPACKING,
        /** Found complete on the node; nothing is downloaded. */
        CACHED,
        /** Ready. */
        DONE
    }

    /** Does nothing: for callers that do not report progress. */
    PullProgress NONE = new PullProgress() {
        @Override
        public void phase(Phase phase) {
        }

        @Override
        public void bytes(long soFar, long total) {
        }
    };

    void phase(Phase phase);

    /**
     * @param soFar bytes received by this pull so far
     * @param total bytes this pull has to receive (what the node already had is not counted)
     */
    void bytes(long soFar, long total);
}
