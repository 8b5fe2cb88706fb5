package dev.berth.gateway.view;

import dev.berth.contracts.kafka.DeadLetters;
import dev.berth.contracts.trace.RecordTracing;
import dev.berth.gateway.commands.CommandBus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Owns the gateway's one {@link ClusterView} and the {@link ViewConsumer} that keeps it current, so that
 * resources inject the view itself and nothing else of Kafka. The view stays plain Java (its tests build
 * one with {@code new}); this bean is the Quarkus edge that starts and stops its consumer.
 */
@ApplicationScoped
public class ViewFeed {
    @Inject
    CommandBus commands;

    @Inject
    MeterRegistry metrics;

    /** Quarkus's tracer, used only when BERTH_OTLP_ENDPOINT turned tracing on (RecordTracing.of). */
    @Inject
    Tracer tracer;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    // Made with the bean, not at startup: a resource may be built (and its view injected) before then.
    private final ClusterView view = new ClusterView();
    private ViewConsumer consumer;

    /**
     * The one view, for injection. Singleton, not application-scoped: the view is final and made once, so
     * there is nothing for a client proxy to defer.
     */
    @Produces
    @Singleton
    ClusterView view() {
        return view;
    }

    // After the command bus (a higher priority runs later): the topics exist, and its producer takes our dead letters.
    void onStart(@Observes @Priority(CommandBus.LIFECYCLE_PRIORITY + 1) StartupEvent event) {
        // At 0 from the start: a first dead letter is then an increase (DeadLetters.countedTopics).
        DeadLetters.countedTopics().forEach(this::deadLetters);
        consumer = new ViewConsumer(bootstrapServers, view, deadLetter -> {
            commands.producer().send(deadLetter);
            deadLetters(DeadLetters.sourceTopic(deadLetter)).increment();
        }, RecordTracing.of(tracer));
        // The view's lag (kafka_consumer_fetch_manager_records_lag{client_id="berth-gateway-view"}): Quarkus
        // binds only the connector's clients, and this one is plain.
        consumer.watchedBy(kafka -> {
            KafkaClientMetrics bound = new KafkaClientMetrics(kafka);
            bound.bindTo(metrics);
            return bound;
        });
        consumer.start();
    }

    private Counter deadLetters(String sourceTopic) {
        return Counter.builder(DeadLetters.METRIC).description(DeadLetters.METRIC_DESCRIPTION)
                .tag("topic", sourceTopic).register(metrics);
    }

    // Before the command bus closes its producer, which this consumer dead-letters with.
    void onStop(@Observes @Priority(CommandBus.LIFECYCLE_PRIORITY) ShutdownEvent event) throws InterruptedException {
        if (consumer != null) {
            consumer.close();
        }
    }

    /** True once the view has read the state topics up to where they ended at start: the gateway is ready. */
    public boolean caughtUp() {
        return consumer != null && consumer.caughtUp();
    }
}
