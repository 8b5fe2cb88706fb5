package dev.berth.agent.image;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReferenceTest {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void readsARegistryWithAPortItsRepositoryAndTag() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/berth/hello-http:1");

        assertEquals(new ImageReference("127.0.0.1:5000", "berth/hello-http", "1", null), ref);
        assertEquals("127.0.0.1:5000/berth/hello-http:1", ref.toString());
    }

    @Test
    void aBareNameIsAnOfficialDockerHubImageAtLatest() {
        ImageReference ref = ImageReference.parse("redis");

        assertEquals(new ImageReference("registry-1.docker.io", "library/redis", "latest", null), ref);
        assertEquals("docker.io/library/redis:latest", ref.toString());
        assertEquals(ref, ImageReference.parse(ref.toString()));
    }

    @Test
    void aFirstPartWithoutDotColonOrLocalhostIsADockerHubUser() {
        assertEquals(new ImageReference("registry-1.docker.io", "bitnami/redis", "7.2", null),
                ImageReference.parse("bitnami/redis:7.2"));
        assertEquals("localhost", ImageReference.parse("localhost/app").registry());
        assertEquals("registry.example.com", ImageReference.parse("registry.example.com/team/app:v2").registry());
        assertEquals("app", ImageReference.parse("localhost:5000/app").repository());
    }

    @Test
    void aDigestPinsTheManifestWithOrWithoutATag() {
        ImageReference byDigest = ImageReference.parse("redis@" + DIGEST);
        ImageReference both = ImageReference.parse("127.0.0.1:5000/x:1@" + DIGEST);

        assertEquals(DIGEST, byDigest.digest());
        assertNull(byDigest.tag());
        assertEquals(DIGEST, byDigest.manifestReference());
        assertEquals("1", both.tag());
        assertEquals(DIGEST, both.manifestReference());
        assertEquals("127.0.0.1:5000/x:1@" + DIGEST, both.toString());
    }

    @Test
    void refusesBadNamesSayingWhatIsWrong() {
        assertRefused("", "required");
        assertRefused("Redis", "'Redis'");
        assertRefused("redis:bad tag", "invalid tag");
        assertRefused("redis@sha256:123", "digest");
        assertRefused("localhost:5000/", "repository");
        assertRefused("a//b", "not a valid repository part");
    }

    private static void assertRefused(String name, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(name));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
