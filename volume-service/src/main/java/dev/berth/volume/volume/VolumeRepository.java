package dev.berth.volume.volume;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Queries over volumes. Callers open the session or transaction. */
@ApplicationScoped
public class VolumeRepository implements PanacheRepositoryBase<Volume, String> {

    /** Volumes matching every filter given (null = no filter), oldest first. */
    public Uni<List<Volume>> search(String appId, String nodeId, Volume.State state) {
        List<String> clauses = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (appId != null) {
            clauses.add("appId = :app");
            params.put("app", appId);
        }
        if (nodeId != null) {
            clauses.add("(nodeId = :node or attachedNodeId = :node)");
            params.put("node", nodeId);
        }
        if (state != null) {
            clauses.add("state = :state");
            params.put("state", state);
        }
        String query = (clauses.isEmpty() ? "" : String.join(" and ", clauses)) + " order by createdAt, id";
        return clauses.isEmpty() ? list("order by createdAt, id") : list(query, params);
    }
}
