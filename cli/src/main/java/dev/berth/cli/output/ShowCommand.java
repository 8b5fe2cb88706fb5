package dev.berth.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.cli.Berth;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * Every {@code show} command: GET one thing and print it with {@code -o}: the answer for scripts,
 * else its facts (and, for some, a table of what belongs to it) for people. A 404 is exit code 3 with
 * the gateway's words, as for every request.
 */
public abstract class ShowCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    @Mixin
    protected OutputFormat output;

    /** The thing's path, e.g. {@code /v1/nodes/node-1}. */
    protected abstract String path();

    /** The text a person reads. */
    protected abstract String describe(JsonNode read, Terminal terminal);

    @Override
    public Integer call() {
        Berth berth = Berth.of(spec);
        JsonNode read = berth.gateway().get(path());
        output.print(berth.terminal(), read, thing -> describe(thing, berth.terminal()));
        return 0;
    }
}
