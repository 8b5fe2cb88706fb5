package dev.berth.contracts.kafka;

import dev.berth.contracts.Topic;
import dev.berth.contracts.Topics;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicNamesConfigSourceTest {
    private final TopicNamesConfigSource source = new TopicNamesConfigSource();

    @Test
    void everyTopicOfTheCatalogueIsAPropertyNamedWithoutThePrefix() {
        for (Topic<?, ?> topic : Topics.catalogue()) {
            String property = "berth.topics." + topic.name().substring(Topics.PREFIX.length());
            assertEquals(topic.name(), source.getValue(property), property);
        }
        assertEquals(Topics.catalogue().size(), source.getPropertyNames().size());
        assertEquals(Topics.VOLUME_COMMANDS.name(), source.getValue("berth.topics.volume-commands"));
    }

    @Test
    void aTopicTheCatalogueDoesNotKnowIsNoProperty() {
        assertNull(source.getValue("berth.topics.no-such-topic"));
    }

    @Test
    void itIsRegisteredForMicroProfileConfig() {
        assertTrue(ServiceLoader.load(ConfigSource.class).stream()
                .anyMatch(provider -> provider.type() == TopicNamesConfigSource.class));
    }
}
