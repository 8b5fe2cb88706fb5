package dev.berth.gateway.ui;

import dev.berth.gateway.GatewayConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The web UI's two doors that are not files: {@code /} sends a browser to the UI, and
 * {@code /ui/config.json} tells the UI where to sign in (the Keycloak realm and the public client
 * {@code berth-web}). The UI itself is static files under {@code /ui/}, built by the gateway's Maven
 * build from {@code gateway/src/main/ui}.
 *
 * <p>Why the sign-in settings come from here rather than being written into the UI: the realm's address
 * is the gateway's own setting ({@code quarkus.oidc.auth-server-url}) and differs per installation; the
 * same built UI then works wherever the gateway is told where Keycloak is. Both doors are open (no
 * token): they say nothing an anonymous browser must not know.
 */
@Path("/")
public class UiResource {
    @Inject
    GatewayConfig config;

    @ConfigProperty(name = "quarkus.oidc.auth-server-url")
    Optional<String> gatewayIssuer;

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/ui/")).build();
    }

    @GET
    @Path("ui")
    public Response ui() {
        // Relative links of the UI's page resolve against /ui/, not /.
        return Response.seeOther(URI.create("/ui/")).build();
    }

    @GET
    @Path("ui/config.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> config() {
        Map<String, Object> settings = new LinkedHashMap<>();
        boolean auth = config.auth().enabled();
        settings.put("auth", auth);
        if (auth) {
            settings.put("issuer", config.ui().issuer().or(() -> gatewayIssuer).orElse(""));
            settings.put("clientId", config.ui().clientId());
        }
        return settings;
    }
}
