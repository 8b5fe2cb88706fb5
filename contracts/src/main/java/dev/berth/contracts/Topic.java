package dev.berth.contracts;

import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.json.MalformedMessageException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One Kafka topic, typed: its name and layout, the key its records are partitioned by (how that key
 * is written and read back), the message its values carry, and what every such message must hold.
 *
 * <p>Why: before this, each reader and writer of a topic carried its own idea of it — the scheduler's
 * rebuild, its transaction loop and its action encoder, and the gateway's view each had an if/else
 * over topic names with its own checks, and one key was built in one place and parsed in two. Now
 * {@link Topics} holds one of these per topic, writers get their records from {@link #record} and
 * {@link #tombstone}, readers get typed values from {@link #read} (through
 * {@link dev.berth.contracts.kafka.TopicHandlers}), and adding a topic touches {@link Topics} alone.
 *
 * @param <K> what a record's key names (an id, or an app and version)
 * @param <V> the message a record's value carries ({@code byte[]} for topics of raw bytes)
 */
public final class Topic<K, V> {
    /** How a topic's key is written on the wire and read back. */
    public interface Key<K> {
        String write(K key);

        /** The key a record names, or {@link MalformedMessageException} when no writer could have made it. */
        K read(String key);

        /** Keys that are the id itself. */
        Key<String> ID = new Key<>() {
            @Override
            public String write(String key) {
                return key;
            }

            @Override
            public String read(String key) {
                return key;
            }
        };
    }

    /** A field a message on the topic must have, by its name in the message. */
    private record Required<V>(String field, Function<V, Object> value) {
    }

    private final String name;
    private final int partitions;
    private final boolean compacted;
    private final Class<V> valueType;
    private final Key<K> key;
    private final Function<V, K> keyOf;
    private final List<Required<V>> required;

    private Topic(String name, int partitions, boolean compacted, Class<V> valueType, Key<K> key,
                  Function<V, K> keyOf, List<Required<V>> required) {
        this.name = name;
        this.partitions = partitions;
        this.compacted = compacted;
        this.valueType = valueType;
        this.key = key;
        this.keyOf = keyOf;
        this.required = required;
    }

    /** A compacted topic of current state: the latest record per key stands, a tombstone removes it. */
    static <V> Topic<String, V> state(String name, Class<V> valueType, Function<V, String> keyOf) {
        return new Topic<>(name, 1, true, valueType, Key.ID, keyOf, List.of());
    }

    /** A topic of commands or events, each read once in order; a record without a value is malformed. */
    static <V> Topic<String, V> stream(String name, Class<V> valueType, Function<V, String> keyOf) {
        return new Topic<>(name, 1, false, valueType, Key.ID, keyOf, List.of());
    }

    /** A topic whose values are not Berth messages (dead letters keep the original bytes; the election writes nothing). */
    static Topic<String, byte[]> raw(String name) {
        return new Topic<>(name, 1, false, byte[].class, Key.ID, v -> null, List.of());
    }

    /** The same topic with {@code partitions} partitions. */
    Topic<K, V> partitions(int count) {
        return new Topic<>(name, count, compacted, valueType, key, keyOf, required);
    }

    /** The same topic keyed by {@code keyType} instead of the message's id. */
    <K2> Topic<K2, V> keyed(Key<K2> keyType, Function<V, K2> keyOfValue) {
        return new Topic<>(name, partitions, compacted, valueType, keyType, keyOfValue, required);
    }

    /** The same topic, whose messages are malformed without {@code field} (read by {@code value}). */
    Topic<K, V> requires(String field, Function<V, Object> value) {
        List<Required<V>> more = new ArrayList<>(required);
        more.add(new Required<>(field, value));
        return new Topic<>(name, partitions, compacted, valueType, key, keyOf, List.copyOf(more));
    }

    public String name() {
        return name;
    }

    public int partitions() {
        return partitions;
    }

    /** Compacted: the topic holds current state, read from its beginning to rebuild it. */
    public boolean compacted() {
        return compacted;
    }

    public Class<V> valueType() {
        return valueType;
    }

    /** The key a record of {@code value} carries. */
    public K keyOf(V value) {
        return keyOf.apply(value);
    }

    /** The key as written on the wire. */
    public String writeKey(K value) {
        return key.write(value);
    }

    /** The record that writes {@code value}, keyed as every reader expects. */
    public ProducerRecord<String, byte[]> record(V value) {
        return new ProducerRecord<>(name, key.write(keyOf.apply(value)), encode(value));
    }

    /** The record that removes what {@code id} names from this compacted topic. */
    public ProducerRecord<String, byte[]> tombstone(K id) {
        if (!compacted) {
            throw new IllegalStateException(name + " is not compacted: a tombstone on it removes nothing");
        }
        return new ProducerRecord<>(name, key.write(id), null);
    }

    /** The value's bytes on the wire. */
    public byte[] encode(V value) {
        return valueType == byte[].class ? (byte[]) value : JsonCodec.encodeBytes(value);
    }

    /**
     * The message in a record's value, decoded and checked for the fields every reader relies on.
     *
     * @throws MalformedMessageException saying why it is not one
     */
    public V decode(byte[] value) {
        if (valueType == byte[].class) {
            return valueType.cast(value);
        }
        V message = JsonCodec.decode(value, valueType);
        for (Required<V> field : required) {
            if (field.value().apply(message) == null) {
                throw new MalformedMessageException("the message has no " + field.field());
            }
        }
        return message;
    }

    /**
     * What a record of this topic says: a value (decoded and checked) or, on a compacted topic, the removal
     * of what its key names.
     *
     * @throws MalformedMessageException for a record no writer of the topic could have made: an undecodable
     *                                   value, a missing field, a tombstone without a key or on a stream
     */
    public Change<K, V> read(ConsumerRecord<String, byte[]> record) {
        if (!record.topic().equals(name)) {
            throw new IllegalArgumentException("a record of " + record.topic() + " read as " + name);
        }
        if (record.value() != null || !compacted) {
            V value = decode(record.value());
            return new Change<>(keyOf.apply(value), value);
        }
        if (record.key() == null) {
            throw new MalformedMessageException("a tombstone without a key removes nothing");
        }
        return new Change<>(key.read(record.key()), null);
    }

    /** One record read: {@code value} is null when the record removes what {@code key} names. */
    public record Change<K, V>(K key, V value) {
        public boolean removed() {
            return value == null;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Topic<?, ?> topic && topic.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
