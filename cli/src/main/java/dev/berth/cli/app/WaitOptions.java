package dev.berth.cli.app;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code --wait} and {@code --timeout} of the commands that change an app: without {@code --wait} a
 * command returns once the scheduler accepted the change; with it, once the change is carried out (or
 * failed, or the timeout passed: exit code 4).
 */
public final class WaitOptions {
    @Option(names = "--wait", description = "Follow the change until the app runs it (exit 4 if it fails or times out).")
    boolean wait;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long --wait waits: 90s, 5m, 1h, or seconds (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofMinutes(5);

    public boolean enabled() {
        return wait;
    }

    public Duration timeout() {
        return timeout;
    }

    /** "90s", "5m", "1h", or a plain number of seconds. */
    public static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String text = value.strip().toLowerCase(Locale.ROOT);
            try {
                if (text.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
                }
                char unit = text.charAt(text.length() - 1);
                if (Character.isDigit(unit)) {
                    return Duration.ofSeconds(Long.parseLong(text));
                }
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                return switch (unit) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    case 'h' -> Duration.ofHours(amount);
                    default -> throw new NumberFormatException(value);
                };
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (e.g. 90s, 5m, 1h)");
            }
        }
    }
}
