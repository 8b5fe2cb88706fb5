package dev.berth.contracts.trace;

import dev.berth.contracts.FixedConfigSource;

import java.util.Map;
import java.util.Optional;

/**
 * Turns tracing on when {@code BERTH_OTLP_ENDPOINT} (or the system property {@code berth.otlp.endpoint})
 * names an OTLP/HTTP receiver, e.g. {@code http://collector:4318}: then {@code quarkus.otel.sdk.disabled}
 * is false and the traces go there; without it the OpenTelemetry SDK stays off and every span is a
 * no-op, so no service tries to reach a collector nobody runs.
 *
 * <p>Why a config source: one variable should both switch tracing on and say where to, and a property
 * file cannot derive "disabled" from whether another value is set. Below application.properties and
 * the environment (ordinal 150), so {@code QUARKUS_OTEL_*} variables still win for anything finer
 * (sampling, headers, compression).
 */
public final class TracingConfigSource extends FixedConfigSource {
    public static final String VARIABLE = "BERTH_OTLP_ENDPOINT";
    public static final String PROPERTY = "berth.otlp.endpoint";

    public TracingConfigSource() {
        this(Optional.ofNullable(System.getProperty(PROPERTY)).or(() -> Optional.ofNullable(System.getenv(VARIABLE))));
    }

    TracingConfigSource(Optional<String> endpoint) {
        super("berth-tracing", 150, endpoint.map(String::strip).filter(e -> !e.isEmpty())
                .map(e -> Map.of("quarkus.otel.sdk.disabled", "false",
                        "quarkus.otel.exporter.otlp.traces.endpoint", e))
                .orElse(Map.of("quarkus.otel.sdk.disabled", "true")));
    }
}
