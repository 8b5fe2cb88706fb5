package dev.berth.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link DockerRegistry} (Debian's real docker-registry) with what {@link ImagePusher} puts in it, read back
 * over plain HTTP as a puller would: manifests by tag, config and layers by digest, every digest checked
 * against the bytes served; the layer entries {@link LayerTar} wrote; an index; a Jib-style tar; basic auth.
 */
class DockerRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT_ANY_MANIFEST = String.join(", ", MediaTypes.OCI_MANIFEST,
            MediaTypes.OCI_INDEX, MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    @TempDir
    static Path dir;
    private static DockerRegistry registry;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistry() {
        assumeTrue(Files.isExecutable(DockerRegistry.BINARY), "no registry at " + DockerRegistry.BINARY
                + ": install Debian's docker-registry (apt-get install docker-registry; .ci/run does)");
        registry = DockerRegistry.start(dir.resolve("anonymous"));
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void servesAPushedImagesManifestConfigAndLayersByTheirDigests() throws Exception {
        // Given an image of two layers: files, a symlink, a whiteout and an opaque directory
        byte[] base = LayerTar.create()
                .dir("etc", 0755).file("etc/motd", "welcome\n", 0644)
                .dir("srv/data", 0755).file("srv/data/old", "old", 0600)
                .bytes();
        byte[] top = LayerTar.create()
                .file("bin/hello", "#!/bin/sh\necho hello\n", 0755)
                .symlink("bin/hi", "hello")
                .whiteout("etc/motd")
                .opaque("srv/data")
                .bytes();

        // When it is pushed
        String digest = ImagePusher.image().layer(base).layer(top)
                .entrypoint("/bin/sh", "-c").cmd("/bin/hello")
                .env("GREETING", "hello").user("65532:65532").workingDir("/srv")
                .exposedPort("8080/tcp").label("dev.berth.test", "yes")
                .push(registry.host(), "team-a/hello", "1");

        // Then its tag serves the manifest whose digest the push returned
        HttpResponse<byte[]> manifestResponse = get("/v2/team-a/hello/manifests/1");
        assertEquals(200, manifestResponse.statusCode());
        assertEquals(MediaTypes.OCI_MANIFEST, manifestResponse.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(digest, manifestResponse.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(digest, Digests.sha256(manifestResponse.body()));
        JsonNode manifest = JSON.readTree(manifestResponse.body());

        // and its config, by digest, with what the image was given
        JsonNode config = JSON.readTree(blob("team-a/hello", manifest.path("config").path("digest").asText()));
        JsonNode run = config.path("config");
        assertEquals(List.of("/bin/sh", "-c"), strings(run.path("Entrypoint")));
        assertEquals(List.of("/bin/hello"), strings(run.path("Cmd")));
        assertEquals(List.of("GREETING=hello"), strings(run.path("Env")));
        assertEquals("65532:65532", run.path("User").asText());
        assertEquals("/srv", run.path("WorkingDir").asText());
        assertTrue(run.path("ExposedPorts").has("8080/tcp"));
        assertEquals("linux", config.path("os").asText());
        assertEquals("amd64", config.path("architecture").asText());

        // and its layers, in order, each the bytes pushed and named in the config by its tar's digest
        JsonNode layers = manifest.path("layers");
        assertEquals(2, layers.size());
        byte[] servedBase = blob("team-a/hello", layers.path(0).path("digest").asText());
        byte[] servedTop = blob("team-a/hello", layers.path(1).path("digest").asText());
        assertEquals(Digests.sha256(base), Digests.sha256(servedBase));
        assertEquals(Digests.sha256(top), Digests.sha256(servedTop));
        assertEquals(MediaTypes.OCI_LAYER, layers.path(1).path("mediaType").asText());
        assertEquals(top.length, layers.path(1).path("size").asLong());
        assertEquals(List.of(Digests.diffId(base), Digests.diffId(top)),
                strings(config.path("rootfs").path("diff_ids")));
        assertEquals(Map.of(
                "bin/hello", "file 755",
                "bin/hi", "symlink hello",
                "etc/.wh.motd", "file 644",
                "srv/data/.wh..wh..opq", "file 644"), entries(servedTop));
    }

    @Test
    void answersNotFoundForATagNeverPushed() throws Exception {
        ImagePusher.image().layer(LayerTar.create().file("a", "a", 0644).bytes())
                .push(registry.host(), "team-a/tagged", "1");

        assertEquals(404, get("/v2/team-a/tagged/manifests/2").statusCode());
        assertEquals(404, get("/v2/team-a/never-pushed/manifests/1").statusCode());
        assertTrue(new RegistryClient(registry.host()).manifest("team-a/tagged", "2").isEmpty());
    }

    @Test
    void pushesAnIndexWithTheImageAsItsLinuxAmd64Entry() throws Exception {
        SyntheticImage image = ImagePusher.image().layer(LayerTar.create().file("a", "a", 0644).bytes())
                .entrypoint("/a");

        String indexDigest = image.pushIndex(registry.host(), "team-a/multi", "1");

        HttpResponse<byte[]> response = get("/v2/team-a/multi/manifests/1");
        assertEquals(MediaTypes.OCI_INDEX, response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(indexDigest, Digests.sha256(response.body()));
        JsonNode entry = JSON.readTree(response.body()).path("manifests").path(0);
        assertEquals("amd64", entry.path("platform").path("architecture").asText());
        assertEquals("linux", entry.path("platform").path("os").asText());
        assertEquals(image.content().digest(), entry.path("digest").asText());
        HttpResponse<byte[]> manifest = get("/v2/team-a/multi/manifests/" + entry.path("digest").asText());
        assertEquals(200, manifest.statusCode());
        assertEquals(entry.path("digest").asText(), Digests.sha256(manifest.body()));
    }

    @Test
    void pushesAJibTarAsADockerManifestOfItsConfigAndLayers() throws Exception {
        // Given a tar laid out as Jib's buildTar writes one (docker load's layout)
        byte[] layer = LayerTar.create().file("hello/start", "#!/bin/sh\n", 0755).bytes();
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":\"65532:65532\"},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digests.diffId(layer) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        String layerName = Digests.sha256(layer).substring("sha256:".length()) + ".tar.gz";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(layerName, layer);
        files.put("config.json", config);
        files.put("manifest.json", ("[{\"Config\":\"config.json\",\"RepoTags\":[\"berth/hello-http:1\"],"
                + "\"Layers\":[\"" + layerName + "\"]}]").getBytes(StandardCharsets.UTF_8));
        Path tar = dir.resolve("jib-image.tar");
        writeTar(tar, files);

        // When it is pushed
        String digest = ImagePusher.pushTar(tar, registry.host(), "berth/hello-http", "1");

        // Then the tag serves a Docker v2 manifest of that config and layer, bytes unchanged
        HttpResponse<byte[]> response = get("/v2/berth/hello-http/manifests/1");
        assertEquals(MediaTypes.DOCKER_MANIFEST, response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(digest, Digests.sha256(response.body()));
        JsonNode manifest = JSON.readTree(response.body());
        assertEquals(Digests.sha256(config), manifest.path("config").path("digest").asText());
        assertEquals(MediaTypes.DOCKER_LAYER, manifest.path("layers").path(0).path("mediaType").asText());
        assertEquals(Digests.sha256(layer), Digests.sha256(blob("berth/hello-http", manifest.path("layers").path(0).path("digest").asText())));
    }

    @Test
    void withCredentialsRefusesAnonymousPushesAndTakesAuthenticatedOnes() {
        DockerRegistry.Credentials user = DockerRegistry.Credentials.TEST;
        try (DockerRegistry guarded = DockerRegistry.start(dir.resolve("guarded"), 0, user)) {
            ImageContent image = ImagePusher.image().layer(LayerTar.create().file("a", "a", 0644).bytes()).content();

            RegistryClient.RegistryException refused = assertThrows(RegistryClient.RegistryException.class,
                    () -> new ImagePusher(new RegistryClient(guarded.host())).push(image, "team-a/private", "1"));
            assertEquals(401, refused.status());

            RegistryClient client = new RegistryClient(guarded.host(), user.user(), user.password());
            String digest = new ImagePusher(client).push(image, "team-a/private", "1");
            assertEquals(digest, client.manifest("team-a/private", "1").orElseThrow().digest());
        }
    }

    private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Accept", ACCEPT_ANY_MANIFEST).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A blob of the repository by digest, which must be of exactly the bytes served. */
    private byte[] blob(String repository, String digest) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = get("/v2/" + repository + "/blobs/" + digest);
        assertEquals(200, response.statusCode(), "blob " + digest);
        assertEquals(digest, Digests.sha256(response.body()));
        return response.body();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** Each entry of a gzipped tar: "file <mode>" or "symlink <target>". */
    private static Map<String, String> entries(byte[] tarGz) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(tarGz)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                entries.put(entry.getName(), entry.isSymbolicLink() ? "symlink " + entry.getLinkName()
                        : "file " + Integer.toOctalString(entry.getMode() & 07777));
            }
        }
        return entries;
    }

    private static void writeTar(Path path, Map<String, byte[]> files) throws IOException {
        try (OutputStream out = Files.newOutputStream(path); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
                entry.setSize(file.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(file.getValue());
                tar.closeArchiveEntry();
            }
        }
    }
}
