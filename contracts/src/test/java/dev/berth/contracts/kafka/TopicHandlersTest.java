package dev.berth.contracts.kafka;

import dev.berth.contracts.Topics;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import dev.berth.contracts.messages.AppQueue;
import dev.berth.contracts.messages.AppVersion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicHandlersTest {
    private final List<Object> seen = new ArrayList<>();
    private final TopicHandlers handlers = new TopicHandlers()
            .on(Topics.QUEUE, seen::add, key -> seen.add("removed " + key))
            .on(Topics.APP_VERSIONS, seen::add, key -> seen.add("removed " + key))
            .on(Topics.NODE_STATUS, seen::add);

    @Test
    void aValueIsDecodedAndKeyedAsItsTopicWritesIt() {
        AppQueue entry = new AppQueue("q1", 1, null, null, "/team/web", 2, Map.of("no room", 2), null, null, null);
        ProducerRecord<String, byte[]> written = Topics.QUEUE.record(entry);
        assertEquals("/team/web", written.key());

        assertTrue(handlers.handle(read(written)));
        assertEquals(List.of(entry), seen);
    }

    @Test
    void aTombstoneRemovesWhatItsKeyNamesOrNothingWhereTheReaderKeepsTheLast() {
        handlers.handle(read(Topics.QUEUE.tombstone("/team/web")));
        handlers.handle(read(Topics.APP_VERSIONS.tombstone(new Topics.AppVersionKey("/team/web", 3))));
        handlers.handle(read(Topics.NODE_STATUS.tombstone("node-1")));

        assertEquals(List.of("removed /team/web", "removed " + new Topics.AppVersionKey("/team/web", 3)), seen);
    }

    @Test
    void whatNoWriterOfTheTopicCouldHaveMadeIsMalformedAndHandsNothingOn() {
        var noKey = new ConsumerRecord<String, byte[]>(Topics.QUEUE.name(), 0, 0, null, null);
        assertEquals("a tombstone without a key removes nothing",
                assertThrows(MalformedMessageException.class, () -> handlers.handle(noKey)).getMessage());
        var badVersionKey = new ConsumerRecord<String, byte[]>(Topics.APP_VERSIONS.name(), 0, 0, "/team/web", null);
        assertEquals("a key '/team/web' names no app version (appId@version)",
                assertThrows(MalformedMessageException.class, () -> handlers.handle(badVersionKey)).getMessage());
        var noAppId = new ConsumerRecord<>(Topics.APP_VERSIONS.name(), 0, 0, "/team/web@1",
                "{\"version\": 1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("the message has no appId",
                assertThrows(MalformedMessageException.class, () -> handlers.handle(noAppId)).getMessage());
        var notJson = new ConsumerRecord<>(Topics.NODE_STATUS.name(), 0, 0, "n", "{".getBytes(StandardCharsets.UTF_8));
        assertThrows(MalformedMessageException.class, () -> handlers.handle(notJson));
        assertTrue(seen.isEmpty());
    }

    @Test
    void aRecordOfATopicNobodyHandlesIsNotHandled() {
        assertFalse(handlers.handle(new ConsumerRecord<>(Topics.EVENTS.name(), 0, 0, "x", new byte[0])));
        assertEquals(List.of(Topics.QUEUE.name(), Topics.APP_VERSIONS.name(), Topics.NODE_STATUS.name()),
                handlers.topicNames());
    }

    @Test
    void aStreamHasNoTombstonesAndATopicOneHandler() {
        assertThrows(IllegalStateException.class, () -> Topics.TASK_STATUS.tombstone("t1"));
        assertThrows(IllegalArgumentException.class,
                () -> new TopicHandlers().on(Topics.TASK_STATUS, s -> { }, k -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> new TopicHandlers().on(Topics.QUEUE, q -> { }).on(Topics.QUEUE, q -> { }));
        var empty = new ConsumerRecord<String, byte[]>(Topics.TASK_STATUS.name(), 0, 0, "t1", null);
        assertThrows(MalformedMessageException.class,
                () -> new TopicHandlers().on(Topics.TASK_STATUS, s -> { }).handle(empty));
    }

    @Test
    void everyTopicIsInTheCatalogueOnce() {
        assertEquals(Topics.catalogue().size(), Topics.catalogue().stream().map(t -> t.name()).distinct().count());
        assertEquals(8, Topics.NODE_COMMANDS.partitions());
        assertTrue(Topics.APP_VERSIONS.compacted());
        assertNull(Topics.APP_VERSIONS.tombstone(new Topics.AppVersionKey("/a", 1)).value());
        AppVersion version = JsonCodec.decode("{\"appId\":\"/a\",\"version\":4,\"definition\":{\"id\":\"/a\"}}",
                AppVersion.class);
        assertEquals("/a@4", Topics.APP_VERSIONS.record(version).key());
    }

    private static ConsumerRecord<String, byte[]> read(ProducerRecord<String, byte[]> written) {
        return new ConsumerRecord<>(written.topic(), 0, 0, written.key(), written.value());
    }
}
