package dev.berth.contracts.json;

/** A message that cannot be read as the type its topic carries. Retrying cannot help: dead-letter it. */
public class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }

}
