package dev.berth.gateway.query;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.FieldError;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the query values the list filters share, collecting a refusal per bad value into
 * {@code errors} (so a request is refused once, with every reason) and answering null for it.
 */
public final class QueryValues {
    private QueryValues() {
    }

    /** An app id, with or without its leading slash; null when absent. */
    public static String appId(String name, String raw, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        AppIds.Result normalized = AppIds.normalize(raw);
        if (normalized.error() != null) {
            errors.add(new FieldError(name, name + " must be an app id such as /team-a/db: " + normalized.error()));
            return null;
        }
        return normalized.id();
    }

    /** One of {@code type}'s constants, in any case; the refusal lists the valid ones. */
    public static <E extends Enum<E>> E constant(String name, String raw, Class<E> type, List<FieldError> errors) {
        if (raw == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(name, name + " must be one of " + Arrays.toString(type.getEnumConstants())
                    + ", was '" + raw + "'"));
            return null;
        }
    }

    /** A trimmed value; null when absent or blank (no filter). */
    public static String text(String raw) {
        return raw == null || raw.isBlank() ? null : raw.trim();
    }

    /**
     * {@code true} or {@code false}, in any case; absent means false, so nothing is forced unless asked.
     * {@code meaning} says what true does, for the refusal.
     */
    public static boolean flag(String name, String raw, String meaning, List<FieldError> errors) {
        if (raw == null) {
            return false;
        }
        if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(raw);
        }
        errors.add(new FieldError(name, name + " must be true (" + meaning + ") or false (the default), was '"
                + raw + "'"));
        return false;
    }
}
