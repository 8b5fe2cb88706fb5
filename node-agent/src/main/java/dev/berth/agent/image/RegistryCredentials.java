package dev.berth.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The logins the agent has for private registries, by registry host. Read from a file in Docker's
 * {@code config.json} format, so an operator can reuse what {@code docker login} wrote (and Marathon's
 * {@code docker.tar.gz} credentials) without learning a second format.
 */
public final class RegistryCredentials {
    /** A user name and password (or token) for one registry. */
    public record Login(String username, String password) {
        @Override
        public String toString() {
            return "Login[" + username + "]"; // never the password, should a login end up in a log line
        }
    }

    private final Map<String, Login> byRegistry;

    private RegistryCredentials(Map<String, Login> byRegistry) {
        this.byRegistry = Map.copyOf(byRegistry);
    }

    public static RegistryCredentials none() {
        return new RegistryCredentials(Map.of());
    }

    /** Logins keyed by registry host[:port], as {@link ImageReference#registry()} names it. */
    public static RegistryCredentials of(Map<String, Login> byRegistry) {
        Map<String, Login> normalized = new HashMap<>();
        byRegistry.forEach((registry, login) -> normalized.put(host(registry), login));
        return new RegistryCredentials(normalized);
    }

    /**
     * Reads Docker's format: {@code {"auths": {"host:port": {"auth": "base64(user:pass)"}}}}, or
     * {@code username} and {@code password} fields in place of {@code auth}. Keys may be URLs
     * ({@code https://index.docker.io/v1/}); only their host counts. Credential helpers are not read.
     *
     * @throws IOException when the file cannot be read or is not that format
     */
    public static RegistryCredentials fromDockerConfig(Path file) throws IOException {
        JsonNode auths = new ObjectMapper().readTree(Files.readAllBytes(file)).path("auths");
        Map<String, Login> logins = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode node = entry.getValue();
            Login login;
            if (node.hasNonNull("auth") && !node.get("auth").asText().isEmpty()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(node.get("auth").asText()),
                            StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": the auth of " + entry.getKey() + " is not base64");
                }
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    throw new IOException(file + ": the auth of " + entry.getKey() + " is not user:password");
                }
                login = new Login(decoded.substring(0, colon), decoded.substring(colon + 1));
            } else if (node.hasNonNull("username")) {
                login = new Login(node.get("username").asText(), node.path("password").asText(""));
            } else {
                continue; // an entry docker login left for a credential helper: nothing for us
            }
            logins.put(host(entry.getKey()), login);
        }
        return new RegistryCredentials(logins);
    }

    /** The login for a registry host[:port]; Docker Hub's is found under any of its names. */
    public Optional<Login> forRegistry(String registry) {
        Login login = byRegistry.get(host(registry));
        if (login == null && host(registry).equals(ImageReference.DOCKER_HUB)) {
            login = byRegistry.get("index.docker.io");
            if (login == null) {
                login = byRegistry.get("docker.io");
            }
        }
        return Optional.ofNullable(login);
    }

    /** {@code https://host:port/v1/} → {@code host:port}: config files key registries either way. */
    private static String host(String key) {
        String host = key.strip();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        return host.toLowerCase(java.util.Locale.ROOT);
    }
}
