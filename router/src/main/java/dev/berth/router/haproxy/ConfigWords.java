package dev.berth.router.haproxy;

/**
 * Values from app labels (paths, hosts, header names) and settings, made into single words of HAProxy's
 * configuration. The labels are validated upstream; this is the second wall, so that no value can end its
 * word, start a comment, expand a variable or begin a new line whatever it holds.
 */
final class ConfigWords {
    private ConfigWords() {
    }

    /** Printable ASCII without spaces: the only characters a value may bring into the configuration. */
    static boolean isPrintable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code value} as one word. Single quotes, because inside them HAProxy's parser takes everything
     * literally (no backslash escapes, no {@code $VAR}, no {@code #} comment); a single quote inside the
     * value closes the quotes, adds an escaped quote and reopens them, as a shell would read it. Control
     * characters and spaces cannot be quoted safely across HAProxy versions, so they are refused.
     */
    static String quoted(String value) {
        if (!isPrintable(value)) {
            throw new IllegalArgumentException("not printable ASCII without spaces: " + value.replaceAll("\\p{Cntrl}", "?"));
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** A file path as one word; paths may hold spaces, which quotes carry, but never control characters. */
    static String quotedPath(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("a control character in a path: " + path.replaceAll("\\p{Cntrl}", "?"));
            }
        }
        return "'" + path.replace("'", "'\\''") + "'";
    }
}
