package dev.berth.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pushes an image tar of Jib's to a registry, from a shell: deploy/local/up puts examples/hello-http's
 * image into the local run's registry so that apps can name it. Prints the manifest digest.
 *
 * <pre>java -cp 'testkit/target/testkit.jar:testkit/target/lib/*' dev.berth.testkit.PushImage
 *     examples/hello-http/target/jib-image.tar 127.0.0.1:5000 berth/hello-http 1</pre>
 */
public final class PushImage {
    private PushImage() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: PushImage JIB_TAR REGISTRY_HOST REPOSITORY TAG");
            System.exit(2);
        }
        Path tar = Path.of(args[0]);
        if (!Files.isRegularFile(tar)) {
            System.err.println("no image tar at " + tar + " (build it: ./mvnw -pl examples/hello-http -am package)");
            System.exit(1);
        }
        String digest = ImagePusher.pushTar(tar, args[1], args[2], args[3]);
        System.out.println(args[1] + "/" + args[2] + ":" + args[3] + "@" + digest);
    }
}
