package dev.berth.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.Digests;
import dev.berth.testkit.DockerRegistry;
import dev.berth.testkit.FreePorts;
import dev.berth.testkit.ImagePusher;
import dev.berth.testkit.LayerTar;
import dev.berth.testkit.RegistryClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Container images run without a Docker engine (issue 20), over the real parts: Debian's
 * {@code docker-registry} as the registry, the Jib-built {@code examples/hello-http} image and images a
 * test makes layer by layer, a gateway, a scheduler and an agent that gives each task its own root. The
 * agent pulls over the OCI distribution API, unpacks each layer once and runs the task in an overlay of
 * them; these tests look at what the task saw from inside (its output) and at what crossed the wire
 * (the registry's access log).
 */
class ImagesIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String NODE = "images-node-1";

    /** A private registry whose login the agent has, and one for which the agent's login is wrong. */
    private static final int PRIVATE_PORT = FreePorts.next();
    private static final int WRONG_LOGIN_PORT = FreePorts.next();
    private static final Path AUTH_FILE = authFile();
    /** The node's image cache: room for the other tests' small images, and for two of the eviction test's. */
    private static final int CACHE_MIB = 64;

    // A node timeout longer than the default 5 s, as AgentRestartIT has it: the agent that restarts may take
    // longer than that to start on a busy machine, and its task would rightly be replaced.
    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.withSchedulers(1)
            .schedulerEnv("BERTH_SCHEDULER_NODE_TIMEOUT", "20s").agent(NODE, "zone=a",
            Map.of("BERTH_AGENT_REGISTRY_AUTH_FILE", AUTH_FILE.toString(),
                    "BERTH_AGENT_IMAGE_CACHE_MIB", Integer.toString(CACHE_MIB)));
    private static BerthCluster cluster;
    private static String gateway;
    private static DockerRegistry registry;
    private static Path registryDir;
    private static TaskStatusWatch statuses;
    private static final List<DockerRegistry> privateRegistries = new ArrayList<>();

    @BeforeAll
    static void startRegistry() throws IOException {
        cluster = berth.cluster();
        gateway = cluster.gateway().url();
        cluster.assumeNamespaces("ImagesIT", NODE);
        statuses = new TaskStatusWatch(cluster.kafkaBootstrap());
        registryDir = Files.createTempDirectory("berth-images-it-registry");
        registry = DockerRegistry.start(registryDir);
    }

    @AfterAll
    static void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
        privateRegistries.forEach(DockerRegistry::close);
        if (statuses != null) {
            statuses.close();
        }
    }

    /** The agent's registry logins, in Docker's config.json: right for one registry, wrong for the other. */
    private static Path authFile() {
        try {
            Path file = Files.createTempDirectory("berth-images-it-auth").resolve("config.json");
            String right = Base64.getEncoder().encodeToString((DockerRegistry.Credentials.TEST.user() + ":"
                    + DockerRegistry.Credentials.TEST.password()).getBytes(StandardCharsets.UTF_8));
            String wrong = Base64.getEncoder().encodeToString((DockerRegistry.Credentials.TEST.user() + ":not-it")
                    .getBytes(StandardCharsets.UTF_8));
            Files.writeString(file, """
                    {"auths": {"127.0.0.1:%d": {"auth": "%s"}, "127.0.0.1:%d": {"auth": "%s"}}}"""
                    .formatted(PRIVATE_PORT, right, WRONG_LOGIN_PORT, wrong));
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theJibBuiltImageAnswersWithItsTaskIdAndTheNodeListsItAsCached() {
        // Given examples/hello-http, built by Jib into a tar by the Maven build, pushed to the registry
        Path tar = Path.of(System.getProperty("berth.example.hello-http.tar"));
        String digest = ImagePusher.pushTar(tar, registry.host(), "berth/hello-http", "1");
        String image = registry.host() + "/berth/hello-http:1";

        // When an app runs it on a host port, with no command of its own
        String appId = "/images/hello";
        create("""
                {"id": "%s", "cpus": 0.1, "mem": 32, "portDefinitions": [{"port": 0}],
                 "container": {"type": "DOCKER", "docker": {"image": "%s"}}}""".formatted(appId, image));
        JsonNode task = awaitRunning(appId);

        // Then it answers on its port with its own task id (the image's httpd, as the image's user)
        int port = task.path("ports").get(0).asInt();
        String body = await("hello-http answers").atMost(DEADLINE).ignoreExceptions()
                .until(() -> get("http://127.0.0.1:" + port + "/"), answer -> answer.contains("hello from"));
        assertTrue(body.contains(task.path("id").asText()), "answer: " + body);
        // And the node lists the image it keeps (from its next heartbeat on), by the digest the registry holds
        await(NODE + " lists " + image).atMost(DEADLINE).until(
                () -> Http.get(gateway + "/v1/nodes/" + NODE).json().path("images"),
                images -> contains(images, image, digest));
        delete(appId);
    }

    @Test
    void argsFollowTheEntrypointAndTheTaskSeesTheImagesUserEnvironmentDirectoryAndLayers() {
        // Given an image of two layers: the second deletes a file and a directory of the first, and makes
        // another directory opaque
        byte[] base = LayerTar.create()
                .file("bin/busybox", Path.of("/bin/busybox"), 0755)
                .file("bin/sh", Path.of("/bin/busybox"), 0755)
                .file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n", 0644)
                .file("etc/group", "root:x:0:\napp:x:1000:\n", 0644)
                .file("data/gone", "deleted in the next layer", 0644)
                .file("data/kept", "still here", 0644)
                .file("olddir/old", "hidden by an opaque directory", 0644)
                .file("gonedir/inside", "deleted with its directory", 0644)
                .bytes();
        byte[] top = LayerTar.create()
                .whiteout("data/gone")
                .whiteout("gonedir")
                .opaque("olddir")
                .file("olddir/new", "the only file left", 0644)
                .dir("work", 0777)
                .bytes();
        String report = "echo \"entry $0 $* uid=$(id -u) gid=$(id -g) cwd=$(pwd) mark=$MARK home=$HOME "
                + "data=$(ls /data | tr '\\n' ,) olddir=$(ls /olddir | tr '\\n' ,) "
                + "gonedir=$(test -e /gonedir && echo present || echo absent)\"; exec sleep 600";
        ImagePusher.image().layer(base).layer(top)
                .entrypoint("/bin/sh", "-c", report).cmd("default")
                .env("MARK", "from-image").user("app").workingDir("/work")
                .push(registry.host(), "berth/tools", "1");

        // When an app runs it with args of its own
        String appId = "/images/tools";
        create("""
                {"id": "%s", "args": ["one", "two"], "cpus": 0.1, "mem": 32, "portDefinitions": [],
                 "container": {"type": "MESOS", "docker": {"image": "%s/berth/tools:1"}}}"""
                .formatted(appId, registry.host()));
        JsonNode task = awaitRunning(appId);

        // Then the args replaced the image's Cmd after its entrypoint, and the task ran as the image says
        String output = await("the task's report").atMost(DEADLINE)
                .until(() -> logs(task.path("id").asText()), out -> out.contains("entry"));
        assertEquals("entry one two uid=1000 gid=1000 cwd=/work mark=from-image home=/home/app data=kept, "
                + "olddir=new, gonedir=absent", output.strip());
        delete(appId);
    }

    @Test
    void aMissingTagFailsTheTaskWithItsReasonAndTheAppBacksOff() {
        // Given an image name the registry has no tag for
        String appId = "/images/missing";
        String image = registry.host() + "/berth/hello-http:no-such-tag";

        // When an app asks for it
        create("""
                {"id": "%s", "cpus": 0.1, "mem": 32, "portDefinitions": [], "backoffSeconds": 1,
                 "container": {"type": "DOCKER", "docker": {"image": "%s"}}}""".formatted(appId, image));

        // Then its task fails with the registry's reason, and the app waits out a backoff before the next
        JsonNode delay = await(appId + " delayed, with the reason").atMost(DEADLINE).until(
                () -> queueEntry(appId).path("delay"), d -> !d.isMissingNode() && !d.isNull());
        String message = delay.path("lastFailure").path("message").asText();
        assertTrue(message.startsWith(TaskStatus.IMAGE_PULL_FAILED) && message.contains("not found")
                && message.contains("no-such-tag"), "delay: " + delay);
        assertEquals("FAILED", delay.path("lastFailure").path("state").asText());
        delete(appId);
    }

    @Test
    void aLayerWhoseBytesDoNotMatchItsDigestFailsThePullAndNothingOfItIsKept() throws IOException {
        // Given an image whose layer the registry's storage now serves with other bytes
        byte[] layer = LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755)
                .file("corrupt-me", "the original", 0644).bytes();
        ImagePusher.image().layer(layer).entrypoint("/bin/busybox", "sleep", "600")
                .push(registry.host(), "berth/corrupt", "1");
        String hex = Digests.sha256(layer).substring("sha256:".length());
        Path stored = registryDir.resolve("storage/docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex
                + "/data");
        byte[] tampered = layer.clone();
        tampered[tampered.length / 2] ^= 0x55;
        Files.write(stored, tampered);

        // When an app runs it
        String appId = "/images/corrupt";
        create("""
                {"id": "%s", "cpus": 0.1, "mem": 32, "portDefinitions": [], "backoffSeconds": 1,
                 "container": {"type": "DOCKER", "docker": {"image": "%s/berth/corrupt:1"}}}"""
                .formatted(appId, registry.host()));

        // Then the task fails naming the digest, and the node keeps no blob under that digest
        JsonNode delay = await(appId + " delayed, with the reason").atMost(DEADLINE).until(
                () -> queueEntry(appId).path("delay"), d -> !d.isMissingNode() && !d.isNull());
        String message = delay.path("lastFailure").path("message").asText();
        assertTrue(message.startsWith(TaskStatus.IMAGE_PULL_FAILED) && message.contains(hex), "delay: " + delay);
        assertTrue(Files.notExists(cluster.agentWorkDir(NODE).resolve("images/blobs/sha256/" + hex)),
                "a blob that failed its digest stays out of the store");
        delete(appId);
    }

    @Test
    void twoAppsOnOneImageFetchEachOfItsLayersOnce() throws IOException {
        // Given an image no node has yet, with a layer of its own
        byte[] layer = LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755)
                .random("payload", 4 << 20, 20).bytes();
        ImagePusher.image().layer(layer).entrypoint("/bin/busybox", "sleep", "600")
                .push(registry.host(), "berth/shared", "1");
        String digest = Digests.sha256(layer);

        // When two apps start from it at once
        String image = registry.host() + "/berth/shared:1";
        for (String appId : List.of("/images/shared-a", "/images/shared-b")) {
            create("""
                    {"id": "%s", "instances": 2, "cpus": 0.05, "mem": 32, "portDefinitions": [],
                     "container": {"type": "DOCKER", "docker": {"image": "%s"}}}""".formatted(appId, image));
        }
        await("four tasks running").atMost(DEADLINE).until(() -> cluster.running("/images/shared-a").size()
                + cluster.running("/images/shared-b").size() == 4);

        // Then the registry was asked for the layer once
        String log = Files.readString(registry.log(), StandardCharsets.UTF_8);
        long fetches = log.lines().filter(line -> line.contains("GET /v2/berth/shared/blobs/" + digest)).count();
        assertEquals(1, fetches, "layer fetches in the registry's access log");
        delete("/images/shared-a");
        delete("/images/shared-b");
    }

    @Test
    void theAgentsLoginOpensAPrivateRegistryAndAWrongOneFailsTheTaskWithTheReason() throws IOException {
        // Given two registries that let in only berth / berth-password, each holding an image
        DockerRegistry.Credentials login = DockerRegistry.Credentials.TEST;
        for (int port : List.of(PRIVATE_PORT, WRONG_LOGIN_PORT)) {
            DockerRegistry privateRegistry = DockerRegistry.start(
                    Files.createTempDirectory("berth-images-it-private"), port, login);
            privateRegistries.add(privateRegistry);
            new ImagePusher(new RegistryClient(privateRegistry.host(), login.user(), login.password())).push(
                    ImagePusher.image().layer(LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755)
                            .bytes()).entrypoint("/bin/busybox", "sleep", "600").content(),
                    "team-a/private", "1");
        }

        // When one app pulls with the agent's right login, another where the agent's login is wrong
        String allowed = "/images/private";
        String refused = "/images/wrong-login";
        create("""
                {"id": "%s", "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "container": {"type": "DOCKER", "docker": {"image": "127.0.0.1:%d/team-a/private:1"}}}"""
                .formatted(allowed, PRIVATE_PORT));
        create("""
                {"id": "%s", "cpus": 0.05, "mem": 32, "portDefinitions": [], "backoffSeconds": 1,
                 "container": {"type": "DOCKER", "docker": {"image": "127.0.0.1:%d/team-a/private:1"}}}"""
                .formatted(refused, WRONG_LOGIN_PORT));

        // Then the first runs, and the second fails saying the registry refused the login
        awaitRunning(allowed);
        JsonNode delay = await(refused + " delayed, with the reason").atMost(DEADLINE).until(
                () -> queueEntry(refused).path("delay"), d -> !d.isMissingNode() && !d.isNull());
        String message = delay.path("lastFailure").path("message").asText();
        assertTrue(message.startsWith(TaskStatus.IMAGE_PULL_FAILED) && message.contains("127.0.0.1:" + WRONG_LOGIN_PORT)
                && message.contains("credentials"), "delay: " + delay);
        delete(allowed);
        delete(refused);
    }

    @Test
    void aTagMovedInTheRegistryIsFetchedAgainOnlyWhenTheAppForcesThePull() {
        // Given version 1 of an image under tag "current", run once so the node keeps it
        String image = registry.host() + "/berth/moving:current";
        pushVersion("1");
        String first = "/images/moving-first";
        create(versionApp(first, image, false));
        assertEquals("version 1", awaitOutput(first));
        delete(first);

        // When the tag moves to version 2, and two apps run it, with and without forcePullImage
        pushVersion("2");
        String cached = "/images/moving-cached";
        String forced = "/images/moving-forced";
        create(versionApp(cached, image, false));
        create(versionApp(forced, image, true));

        // Then only the forced one asked the registry again
        assertEquals("version 1", awaitOutput(cached));
        assertEquals("version 2", awaitOutput(forced));
        delete(cached);
        delete(forced);
    }

    @Test
    void anAgentThatRestartsTakesOverItsImageTasksWhichKeepServing() {
        // Given hello-http running from its image
        Path tar = Path.of(System.getProperty("berth.example.hello-http.tar"));
        ImagePusher.pushTar(tar, registry.host(), "berth/hello-http", "1");
        String appId = "/images/hello-restart";
        create("""
                {"id": "%s", "cpus": 0.1, "mem": 32, "portDefinitions": [{"port": 0}],
                 "container": {"type": "DOCKER", "docker": {"image": "%s/berth/hello-http:1"}}}"""
                .formatted(appId, registry.host()));
        JsonNode task = awaitRunning(appId);
        String taskId = task.path("id").asText();
        String url = "http://127.0.0.1:" + task.path("ports").get(0).asInt() + "/";
        await("hello-http answers").atMost(DEADLINE).ignoreExceptions().until(() -> get(url).contains(taskId));

        // When its agent is killed and started again
        cluster.agent(NODE).kill();
        cluster.restartAgent(NODE);

        // Then the new agent process reports the same task running, and it never stopped answering
        await(NODE + " back with the task").atMost(DEADLINE).until(() -> {
            JsonNode tasks = cluster.agentTasks(NODE);
            for (JsonNode known : tasks) {
                if (known.path("taskId").asText().equals(taskId) && known.path("state").asText().equals("RUNNING")) {
                    return true;
                }
            }
            return false;
        });
        assertEquals(List.of(taskId), cluster.tasks(appId).stream().map(t -> t.path("id").asText()).toList());
        await("hello-http still answers").atMost(DEADLINE).ignoreExceptions().until(() -> get(url).contains(taskId));
        delete(appId);
    }

    @Test
    void pastItsLimitTheCacheRemovesTheLeastRecentlyUsedImagesNoTaskRunsFrom() {
        // Given three images of 25 MB each: the first runs on, the second ran and is gone
        String running = pushSized("running");
        String ran = pushSized("ran");
        String latest = pushSized("latest");
        create(sizedApp("/images/evict-running", running));
        String runningTask = awaitRunning("/images/evict-running").path("id").asText();
        // (while it pulled, the task said how far it got)
        await(runningTask + " told its pull's progress").atMost(DEADLINE).until(() -> statuses.matching(
                        s -> s.taskId().equals(runningTask) && s.state() == TaskState.STARTING && s.reason() != null)
                .stream().map(seen -> seen.status().reason()).toList(), reasons -> reasons.stream().anyMatch(
                        reason -> reason.startsWith("PULLING: " + running + ": ")
                                && reason.matches(".*: [0-9.]+ of [0-9.]+ MB")));
        create(sizedApp("/images/evict-ran", ran));
        awaitRunning("/images/evict-ran");
        delete("/images/evict-ran");

        // When a third one is pulled, past the node's 64 MiB
        create(sizedApp("/images/evict-latest", latest));
        awaitRunning("/images/evict-latest");

        // Then the cache keeps the two images tasks run from, and the one that ran is gone
        await(NODE + " keeps the images in use, and only those of the three").atMost(DEADLINE).until(
                () -> references(Http.get(gateway + "/v1/nodes/" + NODE).json().path("images")),
                references -> references.containsAll(Set.of(running, latest)) && !references.contains(ran));
        delete("/images/evict-running");
        delete("/images/evict-latest");
    }

    private static String pushSized(String name) {
        ImagePusher.image().layer(LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755).bytes())
                .layer(LayerTar.create().random("payload", 25L << 20, name.hashCode()).bytes())
                .entrypoint("/bin/busybox", "sleep", "600")
                .push(registry.host(), "berth/evict-" + name, "1");
        return registry.host() + "/berth/evict-" + name + ":1";
    }

    private static String sizedApp(String appId, String image) {
        return """
                {"id": "%s", "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "container": {"type": "DOCKER", "docker": {"image": "%s"}}}""".formatted(appId, image);
    }

    private static Set<String> references(JsonNode images) {
        Set<String> references = new HashSet<>();
        images.forEach(image -> references.add(image.path("reference").asText()));
        return references;
    }

    private static void pushVersion(String version) {
        ImagePusher.image().layer(LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755).bytes())
                .entrypoint("/bin/busybox", "sh", "-c", "echo version " + version + "; exec /bin/busybox sleep 600")
                .push(registry.host(), "berth/moving", "current");
    }

    private static String versionApp(String appId, String image, boolean forcePull) {
        return """
                {"id": "%s", "cpus": 0.05, "mem": 32, "portDefinitions": [],
                 "container": {"type": "DOCKER", "docker": {"image": "%s", "forcePullImage": %s}}}"""
                .formatted(appId, image, forcePull);
    }

    private static String awaitOutput(String appId) {
        JsonNode task = awaitRunning(appId);
        return await(appId + " output").atMost(DEADLINE).until(() -> logs(task.path("id").asText()),
                out -> out.contains("version")).strip();
    }

    private static boolean contains(JsonNode images, String reference, String digest) {
        for (JsonNode image : images) {
            if (image.path("reference").asText().equals(reference) && image.path("digest").asText().equals(digest)
                    && image.path("sizeBytes").asLong() > 0) {
                return true;
            }
        }
        return false;
    }

    private static void create(String json) {
        Http.Response response = Http.postJson(gateway + "/v1/apps", json);
        assertEquals(201, response.status(), "create: " + response.body());
    }

    private static void delete(String appId) {
        Http.delete(gateway + "/v1/apps" + appId);
        await(appId + " gone").atMost(DEADLINE).until(() -> Http.get(gateway + "/v1/apps" + appId).status() == 404);
    }

    private static JsonNode awaitRunning(String appId) {
        return await(appId + " running").atMost(DEADLINE).until(() -> firstRunning(appId), task -> task != null);
    }

    private static JsonNode firstRunning(String appId) {
        for (JsonNode task : cluster.tasks(appId)) {
            if (task.path("state").asText().equals("RUNNING")) {
                return task;
            }
        }
        return null;
    }

    private static String logs(String taskId) {
        return Http.get(gateway + "/v1/tasks/" + taskId + "/logs").body();
    }

    private static JsonNode queueEntry(String appId) {
        for (JsonNode entry : Http.get(gateway + "/v1/queue").json().path("queue")) {
            if (appId.equals(entry.path("appId").asText())) {
                return entry;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
