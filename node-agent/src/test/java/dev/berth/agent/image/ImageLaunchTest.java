package dev.berth.agent.image;

import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.messages.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command, environment, user and directory a task of an image starts with (Marathon's rules over the image's). */
class ImageLaunchTest {
    private static final ContainerImage IMAGE = new ContainerImage("127.0.0.1:5000/a:1", false);

    @TempDir
    Path layer;

    private ImageUsers users() throws IOException {
        Files.createDirectories(layer.resolve("etc"));
        Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n"
                + "app:x:1000:1001:app:/home/app:/bin/sh\nbroken:x:1:not-a-number::/:\n");
        Files.writeString(layer.resolve("etc/group"), "root:x:0:\napp:x:1001:\nstaff:x:50:\n");
        return new ImageUsers(List.of(layer), name -> name.equals("nobody")
                ? Optional.of(new ImageUsers.ImageUser("nobody", 65534, 65534, "/")) : Optional.empty());
    }

    private static TaskSpec spec(String cmd, List<String> args, String user) {
        return new TaskSpec(cmd, args, Map.of(), Map.of(), 0.1, 32, 0, List.of(), user, List.of(), null, List.of(),
                IMAGE);
    }

    private static ImageConfig config(List<String> entrypoint, List<String> cmd, String user, String workingDir) {
        return new ImageConfig(entrypoint, cmd, List.of("PATH=/bin", "MARK=a=b", "BROKEN"), workingDir, user,
                List.of("8080/tcp"), Map.of());
    }

    @Test
    void withoutCommandOrArgsTheEntrypointRunsWithTheImagesCmd() throws IOException {
        ImageLaunch launch = ImageLaunch.of(spec(null, List.of(), null),
                config(List.of("/bin/app", "--serve"), List.of("--port", "8080"), "app", "/srv"), users(), "nobody",
                "root", false);
        assertEquals(List.of("/bin/app", "--serve", "--port", "8080"), launch.command());
        assertEquals(Map.of("PATH", "/bin", "MARK", "a=b"), launch.imageEnv());
        assertEquals(new ImageUsers.ImageUser("app", 1000, 1001, "/home/app"), launch.user());
        assertEquals(Optional.of("/srv"), launch.workingDir());
    }

    @Test
    void argsReplaceTheCmdAfterTheEntrypointAndACmdRunsInTheImagesShell() throws IOException {
        ImageConfig config = config(List.of("/bin/app"), List.of("--default"), "", "");
        assertEquals(List.of("/bin/app", "one", "two"),
                ImageLaunch.of(spec(null, List.of("one", "two"), null), config, users(), "nobody", "root", false)
                        .command());
        assertEquals(List.of("/bin/sh", "-c", "echo hi"),
                ImageLaunch.of(spec("echo hi", List.of(), null), config, users(), "nobody", "root", false).command());
        assertEquals(List.of("one"), ImageLaunch.of(spec(null, List.of("one"), null),
                config(List.of(), List.of("--default"), "", ""), users(), "nobody", "root", false).command());
    }

    @Test
    void anImageWithNothingToRunIsRefused() throws IOException {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ImageLaunch.of(
                spec(null, List.of(), null), config(List.of(), List.of(), "", ""), users(), "nobody", "root", false));
        assertTrue(refused.getMessage().contains("neither Entrypoint nor Cmd"), refused.getMessage());
    }

    @Test
    void theUserIsTheAppsElseTheImagesElseTheNodesDefaultAndRootOnlyWhereAllowed() throws IOException {
        ImageConfig runsAsApp = config(List.of("/bin/app"), List.of(), "app", "");
        ImageConfig noUser = config(List.of("/bin/app"), List.of(), "", "");
        ImageConfig root = config(List.of("/bin/app"), List.of(), "0", "");
        assertEquals(65534, ImageLaunch.of(spec(null, List.of(), "nobody"), runsAsApp, users(), "nobody", "root",
                false).user().uid());
        assertEquals(1000, ImageLaunch.of(spec(null, List.of(), null), runsAsApp, users(), "nobody", "root", false)
                .user().uid());
        assertEquals(65534, ImageLaunch.of(spec(null, List.of(), null), noUser, users(), "nobody", "root", false)
                .user().uid());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ImageLaunch.of(
                spec(null, List.of(), null), root, users(), "nobody", "root", false));
        assertTrue(refused.getMessage().contains("runs as root"), refused.getMessage());
        assertEquals(0, ImageLaunch.of(spec(null, List.of(), null), root, users(), "nobody", "root", true)
                .user().uid());
    }

    @Test
    void usersAndGroupsResolveByNameOrNumberInTheImageFirst() throws IOException {
        ImageUsers users = users();
        assertEquals(new ImageUsers.ImageUser("app", 1000, 50, "/home/app"), users.resolve("app:staff"));
        assertEquals(new ImageUsers.ImageUser("app", 1000, 1001, "/home/app"), users.resolve("1000"));
        assertEquals(new ImageUsers.ImageUser("4242", 4242, 7, "/"), users.resolve("4242:7"));
        assertEquals(65534, users.resolve("nobody").uid());
        assertThrows(IllegalArgumentException.class, () -> users.resolve("ghost"));
        assertThrows(IllegalArgumentException.class, () -> users.resolve("broken"));
        assertThrows(IllegalArgumentException.class, () -> users.resolve("app:nogroup"));
    }
}
