package dev.berth.agent.image;

import dev.berth.agent.image.ImagePullException.Reason;
import dev.berth.agent.image.RegistryCredentials.Login;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryClientTest {
    private static final byte[] CONFIG = "{\"config\":{\"Cmd\":[\"/hello\"]}}".getBytes(StandardCharsets.UTF_8);
    private FakeRegistry registry;
    private byte[] layer;
    @TempDir
    Path dir;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = FakeRegistry.start();
        layer = new TestLayer().file("hello", "hi").gzip();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private RegistryClient client(RegistryCredentials credentials) {
        return new RegistryClient(credentials, Set.of());
    }

    private ImageReference ref(String rest) {
        return ImageReference.parse(registry.host() + "/" + rest);
    }

    @Test
    void resolvesATagToItsManifestWithItsDigest() throws Exception {
        String digest = registry.pushImage("berth/hello", "1", CONFIG, List.of(layer));

        Manifest manifest = client(RegistryCredentials.none()).resolve(ref("berth/hello:1"));

        assertEquals(digest, manifest.digest());
        assertEquals(Digests.of(CONFIG), manifest.config().digest());
        assertEquals(List.of(new Descriptor(FakeRegistry.GZIP_LAYER, Digests.of(layer), layer.length)), manifest.layers());
    }

    @Test
    void resolvesAnIndexToItsLinuxAmd64Manifest() throws Exception {
        String arm = registry.pushImage("berth/multi", "arm-only", "{}".getBytes(), List.of());
        String amd = registry.pushImage("berth/multi", "amd-only", CONFIG, List.of(layer));
        registry.putManifest("berth/multi", "2", FakeRegistry.OCI_INDEX, index(
                entry(arm, "linux", "arm64"), entry(amd, "linux", "amd64")).getBytes(StandardCharsets.UTF_8));

        Manifest manifest = client(RegistryCredentials.none()).resolve(ref("berth/multi:2"));

        assertEquals(amd, manifest.digest());
        assertEquals(1, manifest.layers().size());
    }

    @Test
    void anIndexWithoutLinuxAmd64IsUnsupportedNamingWhatItHas() {
        String arm = registry.pushImage("berth/multi", "arm-only", "{}".getBytes(), List.of());
        registry.putManifest("berth/multi", "3", FakeRegistry.OCI_INDEX,
                index(entry(arm, "linux", "arm64")).getBytes(StandardCharsets.UTF_8));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client(RegistryCredentials.none()).resolve(ref("berth/multi:3")));

        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("no linux/amd64") && e.getMessage().contains("linux/arm64"), e.getMessage());
    }

    @Test
    void aManifestByDigestMustHaveThatDigest() {
        registry.pushImage("berth/hello", "1", CONFIG, List.of(layer));
        String wrong = "sha256:" + "0".repeat(64);
        registry.putManifest("berth/hello", wrong, FakeRegistry.DOCKER_MANIFEST, "{\"schemaVersion\":2}".getBytes());

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client(RegistryCredentials.none()).resolve(ref("berth/hello@" + wrong)));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
    }

    @Test
    void meetsABearerChallengeWithATokenAskedForWithTheLogin() throws Exception {
        registry.requireAuth(FakeRegistry.Auth.BEARER, "ci", "s3cret");
        registry.pushImage("berth/private", "1", CONFIG, List.of(layer));
        RegistryClient client = client(RegistryCredentials.of(Map.of(registry.host(), new Login("ci", "s3cret"))));

        Manifest manifest = client.resolve(ref("berth/private:1"));
        client.fetchBlob(ref("berth/private:1"), manifest.layers().get(0), dir.resolve("layer"), n -> { });

        assertArrayEquals(layer, Files.readAllBytes(dir.resolve("layer")));
        assertEquals(1, registry.tokensIssued(), "the token is kept for the repository");
    }

    @Test
    void meetsAnAnonymousBearerChallengeWithAnAnonymousToken() throws Exception {
        registry.requireAuth(FakeRegistry.Auth.BEARER, null, null);
        String digest = registry.pushImage("library/redis", "7", CONFIG, List.of(layer));

        assertEquals(digest, client(RegistryCredentials.none()).resolve(ref("library/redis:7")).digest());
    }

    @Test
    void sendsBasicCredentialsWhenTheRegistryAsksForThem() throws Exception {
        registry.requireAuth(FakeRegistry.Auth.BASIC, "ci", "s3cret");
        String digest = registry.pushImage("berth/private", "1", CONFIG, List.of(layer));

        Manifest manifest = client(RegistryCredentials.of(Map.of(registry.host(), new Login("ci", "s3cret"))))
                .resolve(ref("berth/private:1"));

        assertEquals(digest, manifest.digest());
    }

    @Test
    void wrongCredentialsAreUnauthorized() {
        registry.requireAuth(FakeRegistry.Auth.BEARER, "ci", "s3cret");
        registry.pushImage("berth/private", "1", CONFIG, List.of(layer));
        RegistryClient client = client(RegistryCredentials.of(Map.of(registry.host(), new Login("ci", "wrong"))));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client.resolve(ref("berth/private:1")));

        assertEquals(Reason.UNAUTHORIZED, e.reason());
        assertTrue(e.getMessage().contains("refused the credentials") && e.getMessage().contains("ci"), e.getMessage());
    }

    @Test
    void basicAuthWithoutCredentialsIsUnauthorized() {
        registry.requireAuth(FakeRegistry.Auth.BASIC, "ci", "s3cret");
        registry.pushImage("berth/private", "1", CONFIG, List.of(layer));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client(RegistryCredentials.none()).resolve(ref("berth/private:1")));

        assertEquals(Reason.UNAUTHORIZED, e.reason());
        assertTrue(e.getMessage().contains("pull access denied"), e.getMessage());
    }

    @Test
    void aMissingTagIsNotFoundNamingTheImage() {
        registry.pushImage("berth/hello", "1", CONFIG, List.of(layer));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client(RegistryCredentials.none()).resolve(ref("berth/hello:2")));

        assertEquals(Reason.NOT_FOUND, e.reason());
        assertEquals("image " + registry.host() + "/berth/hello:2 not found: manifest unknown", e.getMessage());
    }

    @Test
    void aBlobWithWrongContentIsADigestMismatchAndLeavesNothing() throws Exception {
        String digest = Digests.of(layer);
        registry.putBlobAs(digest, new TestLayer().file("evil", "x").gzip());
        Descriptor descriptor = new Descriptor(FakeRegistry.GZIP_LAYER, digest, layer.length);

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client(RegistryCredentials.none())
                .fetchBlob(ref("berth/hello:1"), descriptor, dir.resolve("blob"), n -> { }));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void followsABlobRedirectWithoutTakingTheAuthorizationAlong() throws Exception {
        registry.requireAuth(FakeRegistry.Auth.BASIC, "ci", "s3cret");
        registry.redirectBlobs();
        registry.pushImage("berth/private", "1", CONFIG, List.of(layer));
        RegistryClient client = client(RegistryCredentials.of(Map.of(registry.host(), new Login("ci", "s3cret"))));
        Manifest manifest = client.resolve(ref("berth/private:1"));

        client.fetchBlob(ref("berth/private:1"), manifest.layers().get(0), dir.resolve("layer"), n -> { });

        assertArrayEquals(layer, Files.readAllBytes(dir.resolve("layer")));
        assertFalse(registry.authorizationSeenInStorage(), "the storage host got no authorization");
    }

    @Test
    void aBlobThatStopsFlowingFailsWithinTheTimeoutInsteadOfHanging() throws Exception {
        byte[] big = new TestLayer().file("big", "y".repeat(100_000)).tar();
        String digest = registry.putBlob(big);
        registry.stallBlob(digest);
        RegistryClient client = new RegistryClient(RegistryCredentials.none(), Set.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(1));

        ImagePullException e = assertThrows(ImagePullException.class, () -> client.fetchBlob(ref("berth/x:1"),
                new Descriptor(FakeRegistry.GZIP_LAYER, digest, big.length), dir.resolve("blob"), n -> { }));

        assertEquals(Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("no data for 1 s"), e.getMessage());
        assertFalse(Thread.currentThread().isInterrupted(), "the watch's interrupt is not left behind");
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aClosedPortIsUnreachableAtOnce() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RegistryClient client = new RegistryClient(RegistryCredentials.none(), Set.of(), Duration.ofSeconds(2),
                Duration.ofSeconds(2));
        long started = System.nanoTime();

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> client.resolve(ImageReference.parse("127.0.0.1:" + port + "/x:1")));

        assertEquals(Reason.UNREACHABLE, e.reason());
        assertTrue(e.getMessage().contains("cannot reach registry 127.0.0.1:" + port), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0);
    }

    @Test
    void speaksHttpsToRemoteRegistriesUnlessListedAsInsecure() {
        RegistryClient client = new RegistryClient(RegistryCredentials.none(), Set.of("reg.lan:5000"));

        assertEquals("https", client.scheme("registry-1.docker.io"));
        assertEquals("http", client.scheme("reg.lan:5000"));
        assertEquals("http", client.scheme("localhost:5000"));
        assertEquals("http", client.scheme("127.0.0.1:5000"));
    }

    private static String entry(String digest, String os, String arch) {
        return "{\"mediaType\":\"" + FakeRegistry.DOCKER_MANIFEST + "\",\"digest\":\"" + digest
                + "\",\"size\":100,\"platform\":{\"os\":\"" + os + "\",\"architecture\":\"" + arch + "\"}}";
    }

    private static String index(String... entries) {
        return "{\"schemaVersion\":2,\"mediaType\":\"" + FakeRegistry.OCI_INDEX + "\",\"manifests\":["
                + String.join(",", entries) + "]}";
    }
}
