package dev.berth.contracts.app.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.json.JsonCodec;

import java.util.Set;

/**
 * Reads {@code upgradeStrategy} (Marathon's object, with canary and rollback fields added) and the
 * top-level {@code autoRollback} / {@code progressDeadlineSeconds} the issue writes, folded into it
 * (the object's own value wins when both are given). It needs the whole definition, not only its
 * section, because those two fields live at the top level and the defaults depend on volumes.
 */
public final class UpgradeStrategyReader {
    private static final String SECTION = "upgradeStrategy";
    private static final Set<String> FIELDS = Set.of("minimumHealthCapacity", "maximumOverCapacity", "canary",
            "autoPromote", "autoRollback", "progressDeadlineSeconds");

    private final FieldReader fields;

    public UpgradeStrategyReader(FieldReader fields) {
        this.fields = fields;
    }

    /** {@code stateful}: the app has persistent volumes, so it upgrades in place, one identity at a time. */
    public UpgradeStrategy read(JsonNode tree, int instances, boolean stateful) {
        UpgradeStrategy defaults = UpgradeStrategy.defaultFor(stateful);
        JsonNode node = tree.get(SECTION);
        if (node != null && !node.isNull() && !node.isObject()) {
            fields.error(SECTION, "upgradeStrategy must be an object");
            node = null;
        }
        if (node == null || node.isNull()) {
            node = JsonCodec.mapper().createObjectNode();
        }
        FieldReader strategy = fields.at(SECTION);
        strategy.unknownFields(node, FIELDS);
        double minimumHealth = strategy.number(node, "minimumHealthCapacity", defaults.minimumHealthCapacity(),
                0, 1);
        double maximumOver = strategy.number(node, "maximumOverCapacity", defaults.maximumOverCapacity(), 0, 1);
        int canary = strategy.wholeNumber(node, "canary", 0, 0, AppDefinitionParser.MAX_INSTANCES);
        boolean autoPromote = strategy.bool(node, "autoPromote", defaults.autoPromote());
        boolean autoRollback = strategy.bool(node, "autoRollback",
                fields.bool(tree, "autoRollback", defaults.autoRollback()));
        int deadline = strategy.wholeNumber(node, "progressDeadlineSeconds",
                fields.wholeNumber(tree, "progressDeadlineSeconds",
                        defaults.progressDeadlineSeconds(), UpgradeStrategy.MIN_PROGRESS_DEADLINE_SECONDS,
                        UpgradeStrategy.MAX_PROGRESS_DEADLINE_SECONDS),
                UpgradeStrategy.MIN_PROGRESS_DEADLINE_SECONDS, UpgradeStrategy.MAX_PROGRESS_DEADLINE_SECONDS);
        if (canary > 0 && canary >= instances) {
            fields.error("upgradeStrategy.canary", "canary must be fewer than the " + instances
                    + " instances, or the canaries would be the whole app; was " + canary);
        }
        if (stateful && maximumOver > 0) {
            fields.error("upgradeStrategy.maximumOverCapacity", "an app with persistent volumes upgrades in place"
                    + " (never two versions on one volume), so it cannot run extra instances: set 0");
        } else if (minimumHealth == 1 && maximumOver == 0 && !stateful) {
            // Nothing may go down and nothing may be added: no step is possible. (Both 0 is fine:
            // everything is replaced at once, as an operator who asks for it may want.) A stateful app
            // always moves one identity at a time, so it has no such dead end.
            fields.error(SECTION, "minimumHealthCapacity 1 with maximumOverCapacity 0 leaves no room to"
                    + " replace any instance: lower minimumHealthCapacity or raise maximumOverCapacity");
        }
        return new UpgradeStrategy(minimumHealth, maximumOver, canary, autoPromote, autoRollback, deadline);
    }
}
