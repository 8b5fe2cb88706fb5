package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.AppVolume;
import dev.berth.contracts.app.FieldError;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.app.VolumeMode;
import dev.berth.contracts.app.Volumes;
import dev.berth.contracts.json.JsonCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VolumeDefinitionsTest {

    private static AppDefinition valid(String json) {
        ParsedApp parsed = AppDefinitionParser.parse(json);
        return assertInstanceOf(ParsedApp.Valid.class, parsed, parsed::toString).app();
    }

    private static final String DB = """
            {"id": "/team-a/db", "cmd": "x", "instances": 2,
             "container": {"type": "MESOS", "volumes": [
               {"containerPath": "data", "mode": "RW", "persistent": {"type": "root", "size": 512}},
               {"containerPath": "/var/lib/pg", "mode": "RO",
                "external": {"name": "pgdata", "size": 256, "provider": "sharedfs", "options": {"uid": "999"}}}]},
             "unreachableStrategy": {"replaceAfterSeconds": 300}}
            """;

    @Test
    void readsMarathonsLocalAndExternalVolumeShapes() {
        AppDefinition app = valid(DB);

        assertTrue(app.isStateful());
        AppVolume local = app.volumes().get(0);
        assertEquals("data", local.containerPath());
        assertEquals(VolumeMode.RW, local.mode());
        assertFalse(local.isExternal());
        assertEquals(512, local.sizeMib());
        assertEquals("local", local.provider());
        AppVolume external = app.volumes().get(1);
        assertEquals(VolumeMode.RO, external.mode());
        assertEquals("pgdata", external.external().name());
        assertEquals("sharedfs", external.provider());
        assertEquals(Map.of("uid", "999"), external.external().options());
        assertEquals(300, app.unreachableStrategy().replaceAfterSeconds());
    }

    @Test
    void aStatefulAppRoundTripsThroughItsJson() {
        AppDefinition app = valid(DB);
        assertEquals(app, valid(JsonCodec.encode(app)), "posted back");
        assertEquals(app, JsonCodec.decode(JsonCodec.encode(app), AppDefinition.class), "as a message field");
    }

    @Test
    void statelessAppsKeepWaitingByDefaultAndHaveNoVolumes() {
        AppDefinition app = valid("{\"id\":\"/web\",\"cmd\":\"x\",\"unreachableStrategy\":\"disabled\"}");
        assertFalse(app.isStateful());
        assertNull(app.unreachableStrategy().replaceAfterSeconds());
        // Marathon's own unreachableStrategy shape is accepted (Berth's node timeout decides when a task is lost).
        valid("{\"id\":\"/web\",\"cmd\":\"x\",\"unreachableStrategy\":{\"inactiveAfterSeconds\":0,\"expungeAfterSeconds\":0}}");
    }

    @Test
    void modeAndDiskTypeDefaultAsMarathons() {
        AppDefinition app = valid("""
                {"id":"/a","cmd":"x","container":{"volumes":[{"containerPath":"d","persistent":{"size":1}},
                 {"containerPath":"e","external":{"name":"e","size":1}}]}}""");
        assertEquals(VolumeMode.RW, app.volumes().get(0).mode());
        assertEquals("root", app.volumes().get(0).persistent().type());
        assertEquals("sharedfs", app.volumes().get(1).provider(), "sharedfs is the default provider");
    }

    @Test
    void identitiesAndVolumeIdsAreStableAndUrlSafe() {
        AppDefinition app = valid(DB);
        assertEquals("db-0", Volumes.identity(app.id(), 0));
        assertEquals(3, Volumes.instanceOf(app.id(), "db-3"));
        assertEquals(-1, Volumes.instanceOf(app.id(), "web-3"));
        assertEquals(-1, Volumes.instanceOf(app.id(), "db-03"));
        assertEquals(-1, Volumes.instanceOf(app.id(), "db-x"));
        assertEquals("team-a_db.db-1.data", Volumes.volumeId(app.id(), 1, app.volumes().get(0), 0));
        assertEquals("pgdata-1", Volumes.volumeId(app.id(), 1, app.volumes().get(1), 0));
        assertEquals("pgdata-1~2", Volumes.volumeId(app.id(), 1, app.volumes().get(1), 2));
        assertEquals("var-lib-pg", Volumes.volumeName(app.id(), 0, new AppVolume("/var/lib/pg", null,
                new dev.berth.contracts.app.PersistentVolume("root", 1), null)));
        for (String id : List.of(Volumes.volumeId(app.id(), 0, app.volumes().get(0), 3),
                Volumes.volumeId(app.id(), 7, app.volumes().get(1), 0))) {
            assertTrue(id.matches("[a-z0-9._~-]+"), id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            escaping path            | [{"containerPath":"../etc","persistent":{"size":1}}]             | container.volumes[0].containerPath | '..'
            escaping deeper          | [{"containerPath":"data/../../x","persistent":{"size":1}}]      | container.volumes[0].containerPath | '..'
            absolute escape          | [{"containerPath":"/a/../../etc","persistent":{"size":1}}]      | container.volumes[0].containerPath | '..'
            no path                  | [{"persistent":{"size":1}}]                                      | container.volumes[0].containerPath | required
            root path                | [{"containerPath":"/","persistent":{"size":1}}]                  | container.volumes[0].containerPath | not '/'
            proc                     | [{"containerPath":"/proc/x","persistent":{"size":1}}]            | container.volumes[0].containerPath | /proc
            control char             | [{"containerPath":"a\\u0000b","persistent":{"size":1}}]          | container.volumes[0].containerPath | control
            both kinds               | [{"containerPath":"d","persistent":{"size":1},"external":{"name":"x","size":1}}] | container.volumes[0] | exactly one
            host path                | [{"containerPath":"d","hostPath":"/etc","persistent":{"size":1}}] | container.volumes[0].hostPath | not supported
            bad mode                 | [{"containerPath":"d","mode":"rw","persistent":{"size":1}}]      | container.volumes[0].mode | RW
            no size                  | [{"containerPath":"d","persistent":{"type":"root"}}]             | container.volumes[0].persistent.size | required
            zero size                | [{"containerPath":"d","persistent":{"size":0}}]                  | container.volumes[0].persistent.size | from 1
            huge size                | [{"containerPath":"d","persistent":{"size":1e30}}]               | container.volumes[0].persistent.size | whole MiB
            bad disk type            | [{"containerPath":"d","persistent":{"type":"ssd","size":1}}]     | container.volumes[0].persistent.type | root, path or mount
            dvdi provider            | [{"containerPath":"d","external":{"name":"x","size":1,"provider":"dvdi"}}] | container.volumes[0].external.provider | dvdi
            bad external name        | [{"containerPath":"d","external":{"name":"Pg Data","size":1}}]   | container.volumes[0].external.name | lowercase
            unknown field            | [{"containerPath":"d","persistent":{"size":1},"shared":true}]    | container.volumes[0].shared | unknown field
            same path twice          | [{"containerPath":"d","persistent":{"size":1}},{"containerPath":"d/","persistent":{"size":1}}] | container.volumes[1].containerPath | share
            same name twice          | [{"containerPath":"a","external":{"name":"x","size":1}},{"containerPath":"b","external":{"name":"x","size":1}}] | container.volumes[1].external.name | share
            not an array             | {"containerPath":"d"}                                            | container.volumes | array
            """)
    void refusesBadVolumesWithAReasonOnTheField(String why, String volumes, String field, String messagePart) {
        String json = "{\"id\":\"/a\",\"cmd\":\"x\",\"container\":{\"type\":\"MESOS\",\"volumes\":" + volumes + "}}";
        List<FieldError> errors = assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(json)).errors();
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative                 | {"replaceAfterSeconds":-1}   | unreachableStrategy.replaceAfterSeconds | whole number
            fraction                 | {"replaceAfterSeconds":1.5}  | unreachableStrategy.replaceAfterSeconds | whole number
            unknown                  | {"after":1}                  | unreachableStrategy.after | unknown field
            a string                 | "sometimes"                  | unreachableStrategy | disabled
            """)
    void refusesBadUnreachableStrategies(String why, String strategy, String field, String messagePart) {
        String json = "{\"id\":\"/a\",\"cmd\":\"x\",\"unreachableStrategy\":" + strategy + "}";
        List<FieldError> errors = assertInstanceOf(ParsedApp.Invalid.class, AppDefinitionParser.parse(json)).errors();
        assertTrue(errors.stream().anyMatch(e -> e.field().equals(field) && e.message().contains(messagePart)),
                () -> "expected an error on " + field + " containing '" + messagePart + "', got " + errors);
    }
}
