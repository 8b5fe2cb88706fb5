package dev.berth.cli.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.cli.CliFailure;
import dev.berth.cli.ExitCode;
import dev.berth.cli.output.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The app definitions {@code deploy -f} applies: a file, or every {@code *.json} of a directory in name
 * order (a declarative apply of a whole folder). Only what the gateway cannot see is checked here — the
 * file is JSON, an object, with an {@code id} — everything else is the API's to judge, so the command
 * line and the API never disagree about what a valid app is.
 */
final class DefinitionFiles {
    /** One definition and the file it came from, for messages. */
    record Definition(Path file, String id, ObjectNode json) {
    }

    private DefinitionFiles() {
    }

    static List<Definition> read(List<Path> paths) {
        List<Definition> definitions = new ArrayList<>();
        for (Path path : paths) {
            for (Path file : files(path)) {
                definitions.add(readOne(file));
            }
        }
        return definitions;
    }

    private static List<Path> files(Path path) {
        if (Files.isDirectory(path)) {
            try (Stream<Path> entries = Files.list(path)) {
                List<Path> json = entries.filter(p -> p.getFileName().toString().endsWith(".json"))
                        .filter(Files::isRegularFile).sorted().toList();
                if (json.isEmpty()) {
                    throw new CliFailure(ExitCode.USAGE, path + ": no *.json files in this directory");
                }
                return json;
            } catch (IOException e) {
                throw new CliFailure(ExitCode.USAGE, path + ": cannot list it (" + e.getMessage() + ")");
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new CliFailure(ExitCode.USAGE, path + ": no such file or directory");
        }
        return List.of(path);
    }

    private static Definition readOne(Path file) {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new CliFailure(ExitCode.REFUSED, file + ": not JSON ("
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException bad ? bad.getOriginalMessage() : e.getMessage())
                    + ")");
        }
        if (!(json instanceof ObjectNode object)) {
            throw new CliFailure(ExitCode.REFUSED, file + ": an app definition is a JSON object");
        }
        String id = object.path("id").asText("");
        if (id.isBlank()) {
            throw new CliFailure(ExitCode.REFUSED, file + ": the definition has no \"id\" (e.g. \"/team-a/web\")");
        }
        return new Definition(file, AppPath.id(id), object);
    }
}
