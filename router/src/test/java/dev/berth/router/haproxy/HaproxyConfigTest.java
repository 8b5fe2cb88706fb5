package dev.berth.router.haproxy;

import dev.berth.contracts.routing.RouteAffinity;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration as text and the quoting of label values, without haproxy. */
class HaproxyConfigTest {
    private static final HaproxySettings SETTINGS =
            new HaproxySettings(null, "127.0.0.1", 8000, Path.of("/run/berth-router"), "k'ey", 4);

    private static HaproxyRoute route(String name, String path, String vhost) {
        return new HaproxyRoute(name, path, vhost, true, RouteAffinity.NONE, null, List.of());
    }

    @Test
    void aValueStaysInsideItsWordWhateverItHolds() {
        assertEquals("'/a'\\''b$HOME#c'", ConfigWords.quoted("/a'b$HOME#c"));
        assertThrows(IllegalArgumentException.class, () -> ConfigWords.quoted("/a\nbind :80"));
        assertThrows(IllegalArgumentException.class, () -> ConfigWords.quoted("/a b"));
        assertThrows(IllegalArgumentException.class, () -> route("x_0", "/a\nb", null));
        assertThrows(IllegalArgumentException.class,
                () -> new HaproxyRoute("x_0", "/a", null, true, RouteAffinity.SERVER, "X-A)b", List.of()));
    }

    @Test
    void routeNamesAreMadeFromTheAppIdAndPortIndex() {
        assertEquals("team_a_web_0", Haproxy.backendName("/team-a/web", 0));
        assertEquals("shop_v2_db_1", Haproxy.backendName("/Shop/v2.db", 1));
        assertThrows(IllegalArgumentException.class, () -> route("Team-A", "/a", null));
    }

    @Test
    void routesAreTriedHostAndPathFirstThenHostThenTheLongestPath() {
        List<HaproxyRoute> ordered = HaproxyConfig.inMatchOrder(List.of(
                route("short_0", "/a", null), route("host_0", null, "h.example.com"),
                route("long_0", "/a/b/", null), route("both_0", "/a", "h.example.com")));

        assertEquals(List.of("both_0", "host_0", "long_0", "short_0"), ordered.stream().map(HaproxyRoute::name).toList());
    }

    @Test
    void everySlotIsWrittenWithItsAddressAndTheUnusedOnesDisabled() {
        HaproxyRoute route = new HaproxyRoute("shop_0", "/team-a/shop/", null, true, RouteAffinity.SESSION, null, List.of());
        String config = HaproxyConfig.render(SETTINGS, 8000, List.of(new HaproxyConfig.Backend(route, List.of(
                new SlotState("10.0.0.5", 31000, SlotState.Mode.READY), new SlotState("::1", 31001, SlotState.Mode.READY),
                SlotState.UNUSED))));

        assertTrue(config.contains("    server s1 10.0.0.5:31000 weight 100\n"), config);
        assertTrue(config.contains("    server s2 [::1]:31001 weight 100\n"), config);
        assertTrue(config.contains("    server s3 127.0.0.1:1 weight 100 disabled\n"), config);
        assertTrue(config.contains("    acl shop_0_path path -m str -- '/team-a/shop'\n"), config);
        assertTrue(config.contains("    acl shop_0_path path_beg -- '/team-a/shop/'\n"), config);
        assertTrue(config.contains("    http-request replace-path ^.{12}/?(.*)$ /\\1\n"), config);
        assertTrue(config.contains("    dynamic-cookie-key 'k'\\''ey'\n"), config);
        assertFalse(config.contains("server-template"), config);
    }
}
