package dev.berth.agent.image;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A registry's {@code WWW-Authenticate} answer to an unauthenticated request: the scheme it wants
 * ({@code Bearer}: fetch a token from {@code realm}; {@code Basic}: send the login) and its parameters.
 * Values are quoted strings that may hold commas ({@code scope="repository:a:pull,push"}), hence a small
 * parser of its own rather than a split.
 *
 * @param scheme lower case: {@code bearer}, {@code basic}, or whatever else a registry said
 * @param params the parameters by lower-case name ({@code realm}, {@code service}, {@code scope})
 */
record AuthChallenge(String scheme, Map<String, String> params) {
    AuthChallenge {
        params = Map.copyOf(params);
    }

    static AuthChallenge parse(String header) {
        String text = header == null ? "" : header.strip();
        int space = text.indexOf(' ');
        String scheme = (space < 0 ? text : text.substring(0, space)).toLowerCase(Locale.ROOT);
        Map<String, String> params = new HashMap<>();
        int i = space < 0 ? text.length() : space + 1;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || text.charAt(i) == ' ')) {
                i++;
            }
            int equals = text.indexOf('=', i);
            if (equals < 0) {
                break;
            }
            String key = text.substring(i, equals).strip().toLowerCase(Locale.ROOT);
            i = equals + 1;
            StringBuilder value = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
                    if (text.charAt(i) == '\\' && i + 1 < text.length()) {
                        i++;
                    }
                    value.append(text.charAt(i));
                }
                i++; // the closing quote
            } else {
                for (; i < text.length() && text.charAt(i) != ','; i++) {
                    value.append(text.charAt(i));
                }
            }
            params.put(key, value.toString().strip());
        }
        return new AuthChallenge(scheme, params);
    }

    String param(String name) {
        return params.get(name);
    }
}
