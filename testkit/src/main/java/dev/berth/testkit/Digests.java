package dev.berth.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * The content digests an image is addressed by ({@code sha256:<64 hex digits>}), in one place: a
 * registry names every blob and manifest so and refuses an upload whose bytes hash otherwise, and an
 * image config names its layers by the digest of their <em>uncompressed</em> tar (the diff id).
 */
public final class Digests {
    private Digests() {
    }

    /** {@code sha256:<hex>} of the bytes. */
    public static String sha256(byte[] bytes) {
        MessageDigest digest = sha256();
        return "sha256:" + HexFormat.of().formatHex(digest.digest(bytes));
    }

    /** {@code sha256:<hex>} of the tar inside a gzip stream: a layer's diff id. */
    public static String diffId(byte[] tarGz) {
        MessageDigest digest = sha256();
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(tarGz), 64 * 1024)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a layer that is not gzip", e);
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
