package dev.berth.contracts.messages;

/** Where a {@link Deployment} stands. The last five are terminal: nothing more happens to it. */
public enum DeploymentState {
    /** Steps are being carried out. */
    RUNNING,
    /** The canaries are up and healthy; waiting for a promote or a rollback. */
    PAUSED,
    /** Every instance runs the new version, healthy. */
    SUCCEEDED,
    /** It gave up (deadline passed, new instances failing) and left the app at the mix it reached. */
    FAILED,
    /** It was reverted: the previous definition is back as a new app version. */
    ROLLED_BACK,
    /** The app was deleted while it ran. */
    CANCELLED,
    /** A forced change replaced it; the new deployment starts from the mix this one reached. */
    SUPERSEDED;

    public boolean isTerminal() {
        return this != RUNNING && this != PAUSED;
    }
}
