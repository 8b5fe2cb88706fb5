package dev.berth.contracts;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * A configuration source of properties fixed when it is made: what Berth adds to every service's
 * configuration from {@code contracts} (the topic names, the tracing switch), each a subclass that
 * says which properties, under which name and ordinal.
 *
 * <p>Why a base class: a {@link ConfigSource} is mostly the same four lookups over one map; the
 * subclasses differ only in how the map is made.
 */
public abstract class FixedConfigSource implements ConfigSource {
    private final String name;
    private final int ordinal;
    private final Map<String, String> properties;

    protected FixedConfigSource(String name, int ordinal, Map<String, String> properties) {
        this.name = name;
        this.ordinal = ordinal;
        this.properties = Map.copyOf(properties);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return ordinal;
    }
}
