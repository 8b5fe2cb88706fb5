package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.Isolation;

import java.util.Set;

/**
 * Reads Berth's {@code isolation}: {@code {"network": "NONE", "pidsLimit": 256, "enforceDisk": true}}.
 * Its {@code network} says what Marathon's {@code networks} says; either spelling works, and two that
 * disagree are refused rather than one silently winning.
 */
public final class IsolationReader {
    static final int MAX_PIDS_LIMIT = 4_194_304;
    private static final Set<String> FIELDS = Set.of("network", "pidsLimit", "enforceDisk", "filesystem");

    private final FieldReader fields;

    public IsolationReader(FieldReader fields) {
        this.fields = fields;
    }

    /** {@code fromNetworks}: the network {@code networks} asks for, null if it says nothing. */
    public Isolation read(JsonNode node, Isolation.Network fromNetworks) {
        Isolation.Network fallback = fromNetworks == null ? Isolation.Network.HOST : fromNetworks;
        Isolation byNetworks = new Isolation(fallback, null, false);
        if (node == null || node.isNull()) {
            return byNetworks;
        }
        if (!node.isObject()) {
            fields.error("isolation", "isolation must be an object such as {\"pidsLimit\": 256}");
            return byNetworks;
        }
        FieldReader isolation = fields.at("isolation");
        isolation.unknownFields(node, FIELDS);
        Isolation.Network network = isolation.enumValue(node, "network", Isolation.Network.class, fallback, true);
        if (fromNetworks != null && node.hasNonNull("network") && network != fromNetworks) {
            fields.error("isolation.network", "isolation.network " + network + " contradicts networks ("
                    + fromNetworks + "); give one of them: networks host = HOST, container/bridge = BRIDGE, "
                    + "container = NONE");
        }
        Integer pidsLimit = node.hasNonNull("pidsLimit")
                ? isolation.wholeNumber(node, "pidsLimit", 0, 1, MAX_PIDS_LIMIT) : null;
        boolean enforceDisk = isolation.bool(node, "enforceDisk", false);
        Isolation.Filesystem filesystem = isolation.enumValue(node, "filesystem", Isolation.Filesystem.class,
                Isolation.Filesystem.OPTIONAL, true);
        return new Isolation(network, pidsLimit, enforceDisk, filesystem);
    }
}
