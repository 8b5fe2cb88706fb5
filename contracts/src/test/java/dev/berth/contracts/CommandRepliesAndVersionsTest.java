package dev.berth.contracts;

import dev.berth.contracts.app.AppDefinition;
import dev.berth.contracts.app.AppDefinitionParser;
import dev.berth.contracts.app.ParsedApp;
import dev.berth.contracts.json.JsonCodec;
import dev.berth.contracts.messages.AppCommand;
import dev.berth.contracts.messages.AppState;
import dev.berth.contracts.messages.AppVersion;
import dev.berth.contracts.messages.CommandReply;
import dev.berth.contracts.messages.KillAppTask;
import dev.berth.contracts.messages.ScaleApp;
import dev.berth.contracts.messages.UpdateApp;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The messages of the command round trip (issue 6): updates, operator kills, replies and versions. */
class CommandRepliesAndVersionsTest {
    private static final Instant AT = Instant.parse("2026-11-25T10:15:30.123Z");

    private static AppDefinition app(String extra) {
        return ((ParsedApp.Valid) AppDefinitionParser.parse("""
                {"id": "team-a/web", "cmd": "sleep 100", "instances": 2, "cpus": 0.5, "mem": 64%s}"""
                .formatted(extra))).app();
    }

    private static <T> void assertRoundTrip(T message, Class<? super T> as) {
        String json = JsonCodec.encode(message);
        assertEquals(message, JsonCodec.decode(json, as), json);
    }

    @Test
    void updateAndKillAppTaskSurviveTheCodecAsAppCommands() {
        assertRoundTrip(UpdateApp.of(app(""), 3L), AppCommand.class);
        assertRoundTrip(UpdateApp.of(app(""), null), AppCommand.class);
        assertRoundTrip(KillAppTask.of("/team-a/web", "team-a_web.abc", true), AppCommand.class);
        assertTrue(JsonCodec.encode(KillAppTask.of("/x", "t", false)).contains("\"type\":\"KillAppTask\""));
        assertTrue(JsonCodec.encode(UpdateApp.of(app(""), 1L)).contains("\"type\":\"UpdateApp\""));
        assertEquals("/team-a/web", UpdateApp.of(app(""), null).appId());
    }

    @Test
    void aReplyAndAVersionSurviveTheCodec() {
        assertRoundTrip(new CommandReply("r1", 1, AT, "c1", "c1", "/team-a/web", CommandReply.Outcome.CONFLICT,
                "the app /team-a/web is at version 7, not 5; read it again and retry", 7), CommandReply.class);
        assertRoundTrip(new CommandReply("r2", 1, AT, "c2", "c2", "/team-a/web", CommandReply.Outcome.ACCEPTED,
                null, 1), CommandReply.class);
        assertRoundTrip(new AppVersion("v1", 1, AT, "c1", "/team-a/web", 3, AppVersion.UPDATED, app("")),
                AppVersion.class);
    }

    @Test
    void aReplyAnswersItsCommandByIdAndSaysWhetherItWasAccepted() {
        ScaleApp scale = ScaleApp.of("/team-a/web", 3);

        CommandReply reply = CommandReply.accepted(scale, 4, null);
        CommandReply refused = CommandReply.notFound(scale, "no app /team-a/web");

        assertEquals(scale.id(), reply.commandId());
        assertEquals(scale.id(), reply.correlationId());
        assertEquals("/team-a/web", reply.appId());
        assertTrue(reply.accepted());
        assertFalse(refused.accepted());
        assertEquals(0, refused.appVersion());
        assertFalse(JsonCodec.encode(reply).contains("\"accepted\""));
    }

    @Test
    void anAppVersionIsKeyedByAppAndVersionOnItsCompactedTopic() {
        assertEquals("/team-a/web@3", Topics.appVersionKey("/team-a/web", 3));
        assertEquals(java.util.Optional.of(new Topics.AppVersionKey("/team-a/web", 3)),
                Topics.parseAppVersionKey(Topics.appVersionKey("/team-a/web", 3)));
        assertEquals(java.util.Optional.empty(), Topics.parseAppVersionKey("/team-a/web"));
        assertEquals(java.util.Optional.empty(), Topics.parseAppVersionKey("/team-a/web@three"));
        assertEquals(java.util.Optional.empty(), Topics.parseAppVersionKey(null));
        assertTrue(Topics.catalogue().contains(Topics.APP_VERSIONS));
        assertTrue(Topics.APP_VERSIONS.compacted() && Topics.APP_VERSIONS.partitions() == 1);
        assertTrue(Topics.catalogue().contains(Topics.COMMAND_REPLIES));
        assertTrue(!Topics.COMMAND_REPLIES.compacted() && Topics.COMMAND_REPLIES.partitions() == 1);
        assertTrue(Topics.APP_VERSIONS.name().endsWith("app-versions"));
        assertTrue(Topics.COMMAND_REPLIES.name().endsWith("command-replies"));
    }

    @Test
    void anUpdateOfOnlyTheInstanceCountKeepsEveryTaskCurrent() {
        AppState state = new AppState("s", 1, AT, null, "/team-a/web", 4, app(""), false, 2);

        AppState updated = state.updated(app("").withInstances(5), "u1");

        assertEquals(5, updated.version());
        assertEquals(2, updated.configVersion());
        assertEquals("u1", updated.correlationId());
        assertEquals(5, updated.definition().instances());
    }

    @Test
    void anUpdateOfAnythingElseMakesEveryTaskOutdated() {
        AppState state = new AppState("s", 1, AT, null, "/team-a/web", 4, app(""), false, 2, false,
                Map.of("web-0", 1));

        AppState updated = state.updated(app(", \"env\": {\"A\": \"1\"}"), "u2");

        assertEquals(5, updated.version());
        assertEquals(5, updated.configVersion());
        assertEquals(Map.of("web-0", 1), updated.generations());
        assertFalse(updated.deleting());
    }

    @Test
    void anUnconditionalUpdateWritesNoExpectedVersion() {
        String json = JsonCodec.encode(UpdateApp.of(app(""), null));

        UpdateApp read = (UpdateApp) JsonCodec.decode(json, AppCommand.class);

        assertNull(read.expectedVersion());
    }
}
