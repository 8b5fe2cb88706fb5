package dev.berth.contracts.kafka;

import dev.berth.contracts.FixedConfigSource;
import dev.berth.contracts.Topic;
import dev.berth.contracts.Topics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every topic of {@link Topics#catalogue()} as a configuration property, {@code berth.topics.<name
 * without the prefix>} = its full name (with {@link Topics#PREFIX}), so that a service's
 * {@code application.properties} names a connector channel's topic as
 * {@code mp.messaging.incoming.volume-commands.topic=${berth.topics.volume-commands}}.
 *
 * <p>Why a config source, not the names written out: the prefix ({@code berth.topic-prefix} /
 * {@code BERTH_TOPIC_PREFIX}) and the names stay in {@link Topics} alone, so adding or renaming a topic
 * still touches one place, and a channel cannot read a topic the catalogue does not know (the
 * expression fails at start). Registered through {@code META-INF/services}; the MicroProfile Config API
 * is on the class path of every Quarkus service and is needed nowhere else.
 */
public final class TopicNamesConfigSource extends FixedConfigSource {
    public static final String PROPERTY_PREFIX = "berth.topics.";

    // Below application.properties (250): an operator may still point one channel elsewhere.
    public TopicNamesConfigSource() {
        super("berth-topics", 150, names());
    }

    private static Map<String, String> names() {
        Map<String, String> all = new LinkedHashMap<>();
        for (Topic<?, ?> topic : Topics.catalogue()) {
            all.put(PROPERTY_PREFIX + topic.name().substring(Topics.PREFIX.length()), topic.name());
        }
        return all;
    }
}
