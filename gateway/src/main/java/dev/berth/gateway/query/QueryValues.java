package dev.berth.gateway.query;

import dev.berth.contracts.app.AppIds;
import dev.berth.contracts.app.FieldError;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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

    /**
     * Every value of a repeatable app id filter ({@code ?app=/a/web&app=/a/db}: any of them), each
     * checked: a bad one lands in {@code errors} even when another is good, so no value is silently
     * dropped. A blank value filters nothing; empty when none is given.
     */
    public static Set<String> appIds(String name, List<String> raws, List<FieldError> errors) {
        Set<String> ids = new LinkedHashSet<>();
        for (String raw : present(raws)) {
            String id = appId(name, raw, errors);
            if (id != null) {
                ids.add(id);
            }
        }
        return Set.copyOf(ids);
    }

    /** Every value of a repeatable filter by one of {@code type}'s constants, each checked as {@link #appIds} does. */
    public static <E extends Enum<E>> Set<E> constants(String name, List<String> raws, Class<E> type,
                                                       List<FieldError> errors) {
        Set<E> wanted = EnumSet.noneOf(type);
        for (String raw : present(raws)) {
            E parsed = constant(name, raw, type, errors);
            if (parsed != null) {
                wanted.add(parsed);
            }
        }
        return Set.copyOf(wanted);
    }

    /** Every value of a repeatable free-text filter, trimmed; blank ones filter nothing. */
    public static Set<String> texts(List<String> raws) {
        Set<String> values = new LinkedHashSet<>();
        for (String raw : present(raws)) {
            values.add(raw.trim());
        }
        return Set.copyOf(values);
    }

    /**
     * Whether a value passes a repeatable filter: no values asked (no filter), or one of them. A value the
     * item lacks (a volume attached nowhere) matches no filter, and is no fault.
     */
    public static <T> boolean anyOf(Set<T> wanted, T value) {
        return wanted.isEmpty() || value != null && wanted.contains(value);
    }

    /** The values given, without the blank ones ({@code ?state=} asks for no filter). */
    private static List<String> present(List<String> raws) {
        return raws == null ? List.of() : raws.stream().filter(raw -> raw != null && !raw.isBlank()).toList();
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
