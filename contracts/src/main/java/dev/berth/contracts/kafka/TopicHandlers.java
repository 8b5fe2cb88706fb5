package dev.berth.contracts.kafka;

import dev.berth.contracts.Topic;
import dev.berth.contracts.json.MalformedMessageException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a reader does with each topic it reads: a table of typed handlers, one line per topic, in place of
 * an if/else over topic names. A record is read by its {@link Topic} (decoded, checked, its key parsed)
 * and handed to the handler of a value or of a removal.
 *
 * <p>Why: the scheduler's rebuild and transaction loop and the gateway's view read the same topics; each
 * had its own chain of name comparisons with its own decoding and checks. With this the reading is the
 * topic's ({@link Topic#read}), and a reader says only what it does with what it read.
 */
public final class TopicHandlers {
    private record Handler<K, V>(Topic<K, V> topic, Consumer<V> onValue, Consumer<K> onRemoval) {
        void handle(ConsumerRecord<String, byte[]> record) {
            Topic.Change<K, V> change = topic.read(record);
            if (!change.removed()) {
                onValue.accept(change.value());
            } else if (onRemoval != null) {
                onRemoval.accept(change.key());
            }
        }
    }

    private final Map<String, Handler<?, ?>> handlers = new LinkedHashMap<>();

    /**
     * Handles the values of {@code topic}; removals from it (tombstones on a compacted topic) are ignored,
     * for a reader that keeps what it was told last.
     */
    public <K, V> TopicHandlers on(Topic<K, V> topic, Consumer<V> onValue) {
        return add(new Handler<>(topic, onValue, null));
    }

    /** Handles the values of the compacted {@code topic} and its removals, each by the key it names. */
    public <K, V> TopicHandlers on(Topic<K, V> topic, Consumer<V> onValue, Consumer<K> onRemoval) {
        if (!topic.compacted()) {
            throw new IllegalArgumentException(topic + " is not compacted: nothing is removed from it");
        }
        return add(new Handler<>(topic, onValue, onRemoval));
    }

    private TopicHandlers add(Handler<?, ?> handler) {
        if (handlers.putIfAbsent(handler.topic().name(), handler) != null) {
            throw new IllegalArgumentException(handler.topic() + " has a handler already");
        }
        return this;
    }

    /** The topics handled, in the order they were added. */
    public List<Topic<?, ?>> topics() {
        return handlers.values().stream().<Topic<?, ?>>map(Handler::topic).toList();
    }

    /** The names of the topics handled, in the order they were added. */
    public List<String> topicNames() {
        return List.copyOf(handlers.keySet());
    }

    /**
     * Hands the record to its topic's handler.
     *
     * @return false when no handler reads the record's topic
     * @throws MalformedMessageException when the record is not one its topic's writers could have made
     */
    public boolean handle(ConsumerRecord<String, byte[]> record) {
        Handler<?, ?> handler = handlers.get(record.topic());
        if (handler == null) {
            return false;
        }
        handler.handle(record);
        return true;
    }
}
