package dev.berth.contracts.app;

import java.util.List;

/** The outcome of reading an app definition: a valid app, or every reason it was refused. */
public sealed interface ParsedApp {
    record Valid(AppDefinition app) implements ParsedApp {
    }

    record Invalid(List<FieldError> errors) implements ParsedApp {
        public Invalid {
            errors = List.copyOf(errors);
        }
    }
}
