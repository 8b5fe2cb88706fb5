package dev.berth.volume.outbox;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** The relay's reads and deletes of the outbox, each in its own session or transaction. */
@ApplicationScoped
public class OutboxRepository implements PanacheRepositoryBase<OutboxEvent, Long> {

    /** The oldest events still to publish, in the order they must go out. */
    @WithSession
    public Uni<List<OutboxEvent>> oldest(int limit) {
        return find("order by id").page(0, limit).list();
    }

    /** Forgets events the broker has acknowledged. */
    @WithTransaction
    public Uni<Long> forget(List<Long> ids) {
        return delete("id in ?1", ids);
    }
}
