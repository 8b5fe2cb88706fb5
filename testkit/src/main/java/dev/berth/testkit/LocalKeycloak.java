package dev.berth.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The local run's Keycloak as one process: starts {@link Keycloak} on a fixed port with the given
 * realm files (a fresh database every start, so the realm is always exactly the file's), writes
 * {@code keycloak.env} (shell syntax) once every realm answers, and stops Keycloak on SIGTERM.
 *
 * <pre>java -cp 'testkit/target/testkit.jar:testkit/target/lib/*' dev.berth.testkit.LocalKeycloak WORK_DIR PORT REALM.json...</pre>
 */
public final class LocalKeycloak {
    private LocalKeycloak() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 3) {
            System.err.println("usage: LocalKeycloak WORK_DIR PORT REALM.json...");
            System.exit(2);
        }
        Path workDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        List<Path> realms = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            realms.add(Path.of(args[i]).toAbsolutePath());
        }
        Files.createDirectories(workDir);
        Path env = workDir.resolve("keycloak.env");
        Files.deleteIfExists(env);

        Keycloak keycloak = Keycloak.start(workDir, realms, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            keycloak.close();
            stopped.countDown();
        }, "local-keycloak-stop"));

        Path partial = workDir.resolve("keycloak.env.tmp");
        Files.writeString(partial, String.join("\n",
                "KEYCLOAK_URL=" + keycloak.url(),
                "KEYCLOAK_ADMIN_USER=" + Keycloak.ADMIN_USER,
                "KEYCLOAK_ADMIN_PASSWORD=" + Keycloak.ADMIN_PASSWORD,
                // for deploy/local/down, should this launcher die without stopping the server
                "KEYCLOAK_PID=" + keycloak.pid(),
                ""));
        // Written whole, then renamed: the launcher script reads it only once the realms answer.
        Files.move(partial, env, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("keycloak " + keycloak.url() + " (log " + keycloak.log() + ")");
        stopped.await();
    }
}
