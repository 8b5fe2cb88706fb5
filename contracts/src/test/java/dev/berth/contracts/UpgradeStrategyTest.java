package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.UpgradeStrategy;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpgradeStrategyTest {
    private static final String VOLUME = "\"container\":{\"volumes\":[{\"containerPath\":\"d\",\"persistent\":{\"size\":1}}]}";

    private static AppDefinition valid(String json) {
        ParsedApp parsed = AppDefinitionParser.parse(json);
        return assertInstanceOf(ParsedApp.Valid.class, parsed, parsed::toString).app();
    }

    @Test
    void aStatelessAppWithoutAStrategyGetsMarathonsDefault() {
        // Given / When
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\"}");

        // Then
        assertEquals(new UpgradeStrategy(1.0, 1.0, 0, true, false, 600), app.upgradeStrategy());
    }

    @Test
    void aStatefulAppWithoutAStrategyUpgradesInPlaceHalfAtATime() {
        AppDefinition app = valid("{\"id\":\"/db\",\"cmd\":\"x\",\"instances\":3," + VOLUME + "}");

        assertEquals(new UpgradeStrategy(0.5, 0.0, 0, true, false, 600), app.upgradeStrategy());
    }

    @Test
    void readsEveryFieldAndFoldsTheTopLevelRollbackFieldsIn() {
        AppDefinition app = valid("""
                {"id":"/a","cmd":"x","instances":3,"autoRollback":true,"progressDeadlineSeconds":60,
                 "upgradeStrategy":{"minimumHealthCapacity":0.5,"maximumOverCapacity":0.25,"canary":1,"autoPromote":false}}""");

        assertEquals(new UpgradeStrategy(0.5, 0.25, 1, false, true, 60), app.upgradeStrategy());
    }

    @Test
    void aDefinitionWrittenBeforeStrategiesExistedReadsWithTheDefault() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\"}");
        String old = JsonCodec.encode(app).replaceAll(",\"upgradeStrategy\":\\{[^}]*}", "");

        assertFalse(old.contains("upgradeStrategy"), old);
        assertEquals(app, JsonCodec.decode(old, AppDefinition.class));
    }

    @Test
    void onlyTheCountAndTheStrategyLeaveTasksRunningAlike() {
        AppDefinition app = valid("{\"id\":\"/a\",\"cmd\":\"x\"}");

        assertTrue(app.runsLike(app.withInstances(7).withUpgradeStrategy(UpgradeStrategy.STATELESS_DEFAULT.withCanary(2))));
        assertFalse(app.runsLike(valid("{\"id\":\"/a\",\"cmd\":\"y\"}")));
    }

    @Test
    void boundsFollowTheShares() {
        UpgradeStrategy s = new UpgradeStrategy(0.75, 0.25, 0, true, false, 600);

        assertEquals(3, s.minimumHealthy(4));
        assertEquals(1, s.maximumExtra(4));
        assertEquals(3, new UpgradeStrategy(0.3, 0, 0, true, false, 600).minimumHealthy(10));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            capacity above 1         | {"id":"/a","cmd":"x","upgradeStrategy":{"minimumHealthCapacity":1.5}} | upgradeStrategy.minimumHealthCapacity | must be from
            negative over capacity   | {"id":"/a","cmd":"x","upgradeStrategy":{"maximumOverCapacity":-1}} | upgradeStrategy.maximumOverCapacity | must be from
            no room to move          | {"id":"/a","cmd":"x","upgradeStrategy":{"minimumHealthCapacity":1,"maximumOverCapacity":0}} | upgradeStrategy | no room
            canary the whole app     | {"id":"/a","cmd":"x","instances":2,"upgradeStrategy":{"canary":2}} | upgradeStrategy.canary | fewer than
            negative canary          | {"id":"/a","cmd":"x","instances":2,"upgradeStrategy":{"canary":-1}} | upgradeStrategy.canary | must be from
            short deadline           | {"id":"/a","cmd":"x","upgradeStrategy":{"progressDeadlineSeconds":5}} | upgradeStrategy.progressDeadlineSeconds | must be from
            short top-level deadline | {"id":"/a","cmd":"x","progressDeadlineSeconds":5} | progressDeadlineSeconds | must be from
            rollback as text         | {"id":"/a","cmd":"x","autoRollback":"yes"} | autoRollback | true or false
            unknown strategy field   | {"id":"/a","cmd":"x","upgradeStrategy":{"maxSurge":1}} | upgradeStrategy.maxSurge | unknown field
            strategy not an object   | {"id":"/a","cmd":"x","upgradeStrategy":3} | upgradeStrategy | must be an object
            """)
    void refusesAStrategyThatCannotWork(String name, String json, String field, String messagePart) {
        List<FieldError> errors = assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(json)).errors();

        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }

    @Test
    void refusesExtraInstancesForAStatefulAppWithTheReason() {
        List<FieldError> errors = assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(
                "{\"id\":\"/db\",\"cmd\":\"x\"," + VOLUME + ",\"upgradeStrategy\":{\"maximumOverCapacity\":0.5}}"))
                .errors();

        assertEquals("upgradeStrategy.maximumOverCapacity", errors.get(0).field());
        assertTrue(errors.get(0).message().contains("never two versions on one volume"), errors.toString());
    }
}
