package dev.berth.agent.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * Receives a blob's body as the HTTP client delivers it: into the temporary file, through the digest,
 * counting bytes and noting when the last ones came. The waiting side ({@link RegistryClient}) reads
 * those notes to end a download that stopped flowing or ran past its promised size: the JDK client has no
 * deadline for a body, only for its headers.
 */
final class BlobWriter implements Flow.Subscriber<List<ByteBuffer>> {
    private final FileChannel file;
    private final long promised;
    private final LongConsumer bytesSoFar;
    private final MessageDigest digest = Digests.sha256();
    private volatile long received;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile IOException writeFailure;
    private Flow.Subscription subscription;

    BlobWriter(FileChannel file, long promised, LongConsumer bytesSoFar) {
        this.file = file;
        this.promised = promised;
        this.bytesSoFar = bytesSoFar;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            long now = received + buffer.remaining();
            // Past the promise, or after a failed write, the rest is only drained: the waiting side ends it.
            if (now <= promised && writeFailure == null) {
                try {
                    digest.update(buffer.duplicate());
                    while (buffer.hasRemaining()) {
                        file.write(buffer);
                    }
                } catch (IOException e) {
                    writeFailure = e;
                }
            }
            received = now;
        }
        lastProgressNanos = System.nanoTime();
        if (received <= promised) {
            bytesSoFar.accept(received);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        // The response's future fails with it; nothing to keep here.
    }

    @Override
    public void onComplete() {
        lastProgressNanos = System.nanoTime();
    }

    long received() {
        return received;
    }

    long lastProgressNanos() {
        return lastProgressNanos;
    }

    boolean pastPromise() {
        return received > promised;
    }

    IOException writeFailure() {
        return writeFailure;
    }

    /** The digest of what was written; call once the body is complete. */
    String digest() {
        return Digests.of(digest);
    }
}
