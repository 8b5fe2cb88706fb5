package dev.berth.contracts.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON codec for every Kafka message. Unknown properties are ignored when reading, so a
 * newer writer that added an optional field does not break an older reader (we evolve by adding).
 * Nesting and string sizes are bounded so a hostile message cannot exhaust a consumer.
 */
public final class JsonCodec {

    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private JsonCodec() {
    }

    /** Applies Berth's settings to a mapper (also used by services for their own ObjectMapper). */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(1_000_000)
                .maxNumberLength(100)
                .build());
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String encode(Object message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static byte[] encodeBytes(Object message) {
        return encode(message).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes a message, or throws {@link MalformedMessageException} saying why; the caller sends the
     * original bytes to the dead-letter topic with that reason.
     */
    public static <T> T decode(byte[] json, Class<T> type) {
        if (json == null) {
            throw new MalformedMessageException("empty message where a " + type.getSimpleName() + " was expected");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new MalformedMessageException("JSON null where a " + type.getSimpleName() + " was expected");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedMessageException("not a valid " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        return decode(json == null ? null : json.getBytes(StandardCharsets.UTF_8), type);
    }
}
