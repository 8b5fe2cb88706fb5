package dev.berth.agent.image;

import dev.berth.agent.image.ImagePullException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStoreTest {
    private static final byte[] CONFIG = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
            + "\"Entrypoint\":[\"/bin/hello\"],\"Cmd\":[\"--port\",\"8080\"],\"Env\":[\"PATH=/bin\",\"A=b\"],"
            + "\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\",\"ExposedPorts\":{\"8080/tcp\":{}},"
            + "\"Labels\":{\"team\":\"berth\"}}}").getBytes(StandardCharsets.UTF_8);
    @TempDir
    Path imagesDir;
    private FakeRegistry registry;
    private final TestClock clock = new TestClock();

    /** A clock the test moves, so "least recently used" does not depend on how fast the machine is. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance() {
            now = now.plusSeconds(60);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void startRegistry() throws Exception {
        registry = FakeRegistry.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private ImageStore store(long limit) {
        return new ImageStore(imagesDir, new RegistryClient(RegistryCredentials.none(), Set.of()),
                new LayerUnpackerTest.RecordedMarks(), limit, clock);
    }

    private ImageReference ref(String rest) {
        return ImageReference.parse(registry.host() + "/" + rest);
    }

    private static byte[] layer(String file, int bytes) {
        return new TestLayer().file(file, "x".repeat(bytes)).gzip();
    }

    @Test
    void pullsAnImageIntoItsLayersWithItsConfig() throws Exception {
        byte[] base = layer("bin/hello", 100);
        byte[] app = layer("srv/app", 50);
        String digest = registry.pushImage("berth/hello", "1", CONFIG, List.of(base, app));
        List<PullProgress.Phase> phases = new CopyOnWriteArrayList<>();
        List<long[]> bytes = new CopyOnWriteArrayList<>();

        PulledImage image = store(1 << 30).pull(ref("berth/hello:1"), false, new PullProgress() {
            @Override
            public void phase(Phase phase) {
                phases.add(phase);
            }

            @Override
            public void bytes(long soFar, long total) {
                bytes.add(new long[]{soFar, total});
            }
        });

        assertEquals(digest, image.manifestDigest());
        assertEquals(List.of(imagesDir.resolve("layers/" + Digests.hex(Digests.of(base))),
                imagesDir.resolve("layers/" + Digests.hex(Digests.of(app)))), image.layers());
        assertTrue(Files.isRegularFile(image.layers().get(1).resolve("srv/app")));
        assertEquals(new ImageConfig(List.of("/bin/hello"), List.of("--port", "8080"), List.of("PATH=/bin", "A=b"),
                "/srv", "1000:1000", List.of("8080/tcp"), java.util.Map.of("team", "berth")), image.config());
        assertEquals(150 + CONFIG.length, image.sizeBytes());
        assertEquals(PullProgress.Phase.RESOLVING, phases.get(0));
        assertEquals(PullProgress.Phase.DONE, phases.get(phases.size() - 1));
        long total = CONFIG.length + base.length + app.length;
        assertEquals(total, bytes.get(bytes.size() - 1)[0]);
        assertEquals(total, bytes.get(bytes.size() - 1)[1]);
        assertFalse(Files.exists(imagesDir.resolve("blobs/sha256/" + Digests.hex(Digests.of(base)))),
                "a layer's compressed blob is not kept once unpacked");
    }

    @Test
    void aLayerListedTwiceIsStackedOnceAtItsTopmostPlace() throws Exception {
        byte[] twice = layer("same", 10);
        byte[] between = layer("other", 10);
        registry.pushImage("berth/dup", "1", CONFIG, List.of(twice, between, twice));

        PulledImage image = store(1 << 30).pull(ref("berth/dup:1"), false, PullProgress.NONE);

        assertEquals(List.of(imagesDir.resolve("layers/" + Digests.hex(Digests.of(between))),
                imagesDir.resolve("layers/" + Digests.hex(Digests.of(twice)))), image.layers());
    }

    @Test
    void aSecondPullUsesTheNodesCopyWithoutAskingTheRegistry() throws Exception {
        registry.pushImage("berth/hello", "1", CONFIG, List.of(layer("a", 10)));
        ImageStore store = store(1 << 30);
        PulledImage first = store.pull(ref("berth/hello:1"), false, PullProgress.NONE);
        registry.close();

        PulledImage again = store.pull(ref("berth/hello:1"), false, PullProgress.NONE);

        assertEquals(first, again);
        ImagePullException e = assertThrows(ImagePullException.class,
                () -> store.pull(ref("berth/hello:1"), true, PullProgress.NONE));
        assertEquals(Reason.UNREACHABLE, e.reason(), "a forced pull asks the registry");
    }

    @Test
    void twoConcurrentPullsOfOneImageFetchEachBlobOnce() throws Exception {
        byte[] base = layer("big", 2_000_000);
        byte[] app = layer("app", 1000);
        registry.pushImage("berth/hello", "1", CONFIG, List.of(base, app));
        ImageStore store = store(1 << 30);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<PulledImage>> pulls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                pulls.add(pool.submit(() -> {
                    start.await();
                    return store.pull(ref("berth/hello:1"), false, PullProgress.NONE);
                }));
            }
            start.countDown();

            assertEquals(pulls.get(0).get(60, TimeUnit.SECONDS).layers(), pulls.get(1).get(60, TimeUnit.SECONDS).layers());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, registry.timesServed(Digests.of(base)));
        assertEquals(1, registry.timesServed(Digests.of(app)));
        assertEquals(1, registry.timesServed(Digests.of(CONFIG)));
    }

    @Test
    void aBlobWithWrongContentFailsThePullAndLeavesNothingInTheStore() throws Exception {
        byte[] good = layer("a", 10);
        registry.pushImage("berth/hello", "1", CONFIG, List.of(good));
        registry.putBlobAs(Digests.of(good), layer("evil", 10));

        ImagePullException e = assertThrows(ImagePullException.class,
                () -> store(1 << 30).pull(ref("berth/hello:1"), false, PullProgress.NONE));

        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
        assertFalse(Files.exists(imagesDir.resolve("blobs/sha256/" + Digests.hex(Digests.of(good)))));
        assertFalse(Files.exists(imagesDir.resolve("layers/" + Digests.hex(Digests.of(good)))));
        try (var left = Files.list(imagesDir.resolve("blobs/sha256"))) {
            assertEquals(List.of(imagesDir.resolve("blobs/sha256/" + Digests.hex(Digests.of(CONFIG)))), left.toList(),
                    "only the verified config, no partial file");
        }
        assertTrue(store(1 << 30).cached().isEmpty());
    }

    @Test
    void evictionRemovesOnlyUnusedLeastRecentlyUsedImages() throws Exception {
        byte[] shared = layer("shared", 1000);
        String oldest = registry.pushImage("berth/a", "1", "{\"a\":1}".getBytes(), List.of(shared, layer("a", 1000)));
        String inUse = registry.pushImage("berth/b", "1", "{\"b\":1}".getBytes(), List.of(layer("b", 1000)));
        String middle = registry.pushImage("berth/c", "1", "{\"c\":1}".getBytes(), List.of(shared, layer("c", 1000)));
        String newest = registry.pushImage("berth/d", "1", "{\"d\":1}".getBytes(), List.of(layer("d", 1000)));
        // 5 distinct layers of 1000 bytes and 4 small configs: about 5 KB; the limit leaves room for 4 layers,
        // so removing a (its own layer; the shared one stays for c) is enough.
        ImageStore store = store(4_100);
        for (String name : List.of("berth/a:1", "berth/b:1", "berth/c:1", "berth/d:1")) {
            store.pull(ref(name), false, PullProgress.NONE);
            clock.advance();
        }
        Path sharedLayer = imagesDir.resolve("layers/" + Digests.hex(Digests.of(shared)));

        List<CachedImage> evicted = store.evictUnused(Set.of(inUse));

        assertEquals(List.of(oldest), evicted.stream().map(CachedImage::manifestDigest).toList(),
                "the oldest unused image goes; the one in use stays though it is older than c");
        assertTrue(Files.isDirectory(sharedLayer), "c still needs the layer it shares with a");
        assertEquals(List.of(newest, middle, inUse),
                store.cached().stream().map(CachedImage::manifestDigest).toList());
        try (var layers = Files.list(imagesDir.resolve("layers"))) {
            assertEquals(4, layers.count(), "a's own layer is gone");
        }

        List<CachedImage> more = store(1).evictUnused(Set.of(inUse, middle, newest));

        assertTrue(more.isEmpty(), "nothing is evicted that a task uses, whatever the limit");
    }

    @Test
    void anImageConfigWithoutFieldsIsEmptyNotNull() throws Exception {
        assertEquals(ImageConfig.empty(), ImageConfig.parse("{\"architecture\":\"amd64\"}".getBytes()));
    }
}
