package dev.berth.router.haproxy;

/**
 * haproxy's check refused a new configuration. The old one keeps serving; the message is haproxy's own,
 * so an operator sees which line and why. Retrying the same routes cannot help.
 */
public final class HaproxyConfigRefusedException extends HaproxyException {
    private final String haproxyOutput;

    public HaproxyConfigRefusedException(String haproxyOutput) {
        super("haproxy refused the new configuration, the old one keeps serving: " + haproxyOutput.strip(), false);
        this.haproxyOutput = haproxyOutput;
    }

    /** What {@code haproxy -c} printed. */
    public String haproxyOutput() {
        return haproxyOutput;
    }
}
