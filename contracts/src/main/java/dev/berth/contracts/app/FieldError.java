package dev.berth.contracts.app;

/** Why one field of a request was refused, in words a person can act on. {@code field} is a JSON path such as {@code portDefinitions[1].name}. */
public record FieldError(String field, String message) {
}
