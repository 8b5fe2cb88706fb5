package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.output.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DefinitionDiffTest {
    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void onlyTheFieldsTheFileSetsAreCompared() throws Exception {
        JsonNode app = json("""
                {"id": "/team-a/web", "cmd": "sleep 600", "instances": 2, "cpus": 0.1, "mem": 32.0,
                 "upgradeStrategy": {"minimumHealthCapacity": 1.0, "canary": 0}, "tasks": [], "version": 3}""");
        JsonNode file = json("""
                {"id": "/team-a/web", "cmd": "sleep 602", "instances": 2, "mem": 32,
                 "upgradeStrategy": {"canary": 1}, "labels": {"tier": "web"}}""");

        List<String> lines = DefinitionDiff.between(app, file).stream().map(DefinitionDiff.Change::line).toList();

        assertEquals(List.of("~ cmd: \"sleep 600\" -> \"sleep 602\"", "~ upgradeStrategy.canary: 0 -> 1",
                "+ labels: {\"tier\":\"web\"}"), lines);
    }

    @Test
    void aFileThatMatchesTheAppChangesNothing() throws Exception {
        JsonNode app = json("{\"id\": \"/a\", \"instances\": 1, \"cpus\": 1.0, \"tasks\": []}");

        assertEquals(List.of(), DefinitionDiff.between(app, json("{\"id\": \"a\", \"instances\": 1, \"cpus\": 1}")));
    }
}
