package dev.berth.testkit;

import java.nio.charset.StandardCharsets;

/**
 * Reads the protobuf wire format field by field: a tag, then the value its wire type says. Enough for
 * {@link OtlpTraceDecoder} to pick the few OTLP fields a test looks at and step over every other one.
 *
 * <p>Why by hand and not protobuf-java with the generated OTLP classes: the testkit is on the local run's
 * classpath too ({@code target/lib}), and a handful of fields does not justify two libraries and a code
 * generator there. Anything the reader cannot make sense of (a truncated value, a length past the end,
 * an unknown wire type, an unmatched group) is a {@link MalformedProtobufException}, never a wrong value.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    /** A body that is not the protobuf message it was read as. */
    static final class MalformedProtobufException extends RuntimeException {
        MalformedProtobufException(String message) {
            super(message);
        }
    }

    private final byte[] bytes;
    private final int end;
    private int at;
    private int field;
    private int wireType;

    ProtobufReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    private ProtobufReader(byte[] bytes, int from, int end) {
        this.bytes = bytes;
        this.at = from;
        this.end = end;
    }

    /** Reads the next tag; false at the end of the message. */
    boolean next() {
        if (at >= end) {
            return false;
        }
        long tag = varint();
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field <= 0 || tag >>> 3 > 0x1FFF_FFFF) {
            throw new MalformedProtobufException("field number " + (tag >>> 3) + " at byte " + at);
        }
        return true;
    }

    int field() {
        return field;
    }

    /**
     * True if the current tag is {@code number}; a known field sent with another wire type than its
     * .proto declares is malformed, not skipped: that is what protobuf's own parsers do.
     */
    boolean is(int number, int expectedWireType) {
        if (field != number) {
            return false;
        }
        if (wireType != expectedWireType) {
            throw new MalformedProtobufException("field " + number + " has wire type " + wireType + ", not "
                    + expectedWireType);
        }
        return true;
    }

    long varint() {
        long value = 0;
        // At most ten bytes: 64 bits, seven at a time.
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = take(1);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new MalformedProtobufException("varint longer than ten bytes at byte " + at);
    }

    long fixed64() {
        take(8);
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (bytes[at - 8 + i] & 0xFF);
        }
        return value;
    }

    byte[] bytesValue() {
        int length = length();
        byte[] value = new byte[length];
        System.arraycopy(bytes, at, value, 0, length);
        at += length;
        return value;
    }

    String string() {
        int length = length();
        String value = new String(bytes, at, length, StandardCharsets.UTF_8);
        at += length;
        return value;
    }

    /** The embedded message the current length-delimited field holds, to read on its own. */
    ProtobufReader message() {
        int length = length();
        ProtobufReader inner = new ProtobufReader(bytes, at, at + length);
        at += length;
        return inner;
    }

    /** Steps over the current field's value, whatever its wire type. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> take(8);
            case LENGTH_DELIMITED -> {
                // Not "at += length()": that would add to the position from before the length was read.
                int length = length();
                at += length;
            }
            case FIXED32 -> take(4);
            case START_GROUP -> skipGroup(field);
            default -> throw new MalformedProtobufException("wire type " + wireType + " of field " + field
                    + " where no group is open");
        }
    }

    /** A (deprecated, still legal) group runs until the END_GROUP tag of the same field number. */
    private void skipGroup(int group) {
        while (next()) {
            if (wireType == END_GROUP) {
                if (field != group) {
                    throw new MalformedProtobufException("group " + group + " closed by field " + field);
                }
                return;
            }
            skip();
        }
        throw new MalformedProtobufException("group " + group + " is never closed");
    }

    private int length() {
        long length = varint();
        if (length < 0 || length > end - at) {
            throw new MalformedProtobufException("length " + length + " at byte " + at + " runs past the end ("
                    + (end - at) + " bytes left)");
        }
        return (int) length;
    }

    /** Advances over {@code count} bytes and returns the first. */
    private byte take(int count) {
        if (end - at < count) {
            throw new MalformedProtobufException("truncated: " + count + " bytes wanted at byte " + at + ", "
                    + (end - at) + " left");
        }
        byte first = bytes[at];
        at += count;
        return first;
    }
}
