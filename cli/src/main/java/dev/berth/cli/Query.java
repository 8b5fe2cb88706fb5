package dev.berth.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A query string built from a command's options: repeated filters repeat, absent ones are left out. */
public final class Query {
    private final StringBuilder text = new StringBuilder();

    public Query add(String name, Object value) {
        if (value != null) {
            text.append(text.length() == 0 ? '?' : '&').append(name).append('=')
                    .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
        }
        return this;
    }

    public Query addAll(String name, Iterable<String> values) {
        if (values != null) {
            values.forEach(value -> add(name, value));
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
