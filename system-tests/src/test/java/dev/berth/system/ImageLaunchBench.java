package dev.berth.system;

import dev.berth.contracts.app.ContainerImage;
import dev.berth.contracts.messages.KillTask;
import dev.berth.contracts.messages.LaunchTask;
import dev.berth.contracts.messages.TaskSpec;
import dev.berth.contracts.messages.TaskState;
import dev.berth.contracts.messages.TaskStatus;
import dev.berth.testkit.Digests;
import dev.berth.testkit.DockerRegistry;
import dev.berth.testkit.ImagePusher;
import dev.berth.testkit.LayerTar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Benchmark of image tasks on one agent, each figure against a baseline taken in the same run
 * (issue 20):
 * <ol>
 *   <li><b>cached image vs no image</b>: one task at a time, from the {@code LaunchTask} written to the
 *       node's partition to its RUNNING status; rounds alternate between {@code sleep 600} in the node's
 *       own root (the baseline) and the same command from a small image the node already has (busybox on
 *       scratch). The figure is the ratio of the medians (target ≤ 1.5);</li>
 *   <li><b>first pull</b>: a task of a 50 MB image (one layer of random bytes, which gzip cannot shrink)
 *       that the node has never seen, from the command to RUNNING (pull, digest checks and unpacking
 *       included), as MB/s of the image's blobs; against {@code curl} downloading the same blobs from the
 *       same registry to {@code /dev/null}, and against the same work done with the tools (curl to a file,
 *       {@code sha256sum}, {@code tar -xzf}).</li>
 * </ol>
 * The registry is Debian's {@code docker-registry} on loopback, so the network is out of the figures.
 *
 * <p>Not part of {@code verify}; run with {@code bench/run ImageLaunchBench}. {@code bench.rounds} (6) and
 * {@code bench.tasksPerRound} (10) change the run. Needs root, cgroups and namespaces (an agent that gives
 * tasks their own root). Figures go to stdout and {@code docs/benchmarks.md}.
 */
class ImageLaunchBench {
    private static final String NODE = "image-bench-1";
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    private static final long BIG_LAYER_BYTES = 50L << 20;

    @RegisterExtension
    static final BerthClusterExtension berth = BerthClusterExtension.brokerOnly()
            .agent(NODE, "zone=bench", Map.of("BERTH_AGENT_CPUS", "64", "BERTH_AGENT_MEM", "65536"));

    @Test
    void aCachedImageLaunchesAsFastAsItsCommandAndAFirstPullRunsNearDownloadSpeed() throws Exception {
        BerthCluster cluster = berth.cluster();
        int rounds = Integer.getInteger("bench.rounds", 6);
        int perRound = Integer.getInteger("bench.tasksPerRound", 10);
        try (DockerRegistry registry = DockerRegistry.start(Files.createTempDirectory("berth-image-bench"));
             TaskStatusWatch statuses = new TaskStatusWatch(cluster.kafkaBootstrap());
             NodeCommands commands = new NodeCommands(cluster.kafkaBootstrap(), NODE)) {
            Launcher launcher = new Launcher(commands, statuses);
            byte[] busybox = LayerTar.create().file("bin/busybox", Path.of("/bin/busybox"), 0755)
                    .file("bin/sh", Path.of("/bin/busybox"), 0755).bytes();
            ImagePusher.image().layer(busybox).push(registry.host(), "bench/small", "1");
            ContainerImage small = new ContainerImage(registry.host() + "/bench/small:1", false);

            // Warm-up, and the small image into the node's cache
            launcher.launchOne(null, 0);
            launcher.launchOne(small, 0);

            List<Double> plain = new ArrayList<>();
            List<Double> image = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < perRound; i++) {
                    plain.add(launcher.launchOne(null, round));
                }
                for (int i = 0; i < perRound; i++) {
                    image.add(launcher.launchOne(small, round));
                }
            }

            // The first pull of a 50 MB image, then curl over the same blobs
            byte[] big = LayerTar.create().random("payload", BIG_LAYER_BYTES, 42).bytes();
            ImagePusher.image().layer(busybox).layer(big).push(registry.host(), "bench/big", "1");
            long blobBytes = busybox.length + big.length;
            double pullSeconds = launcher.launchOne(new ContainerImage(registry.host() + "/bench/big:1", false), 0);
            List<String> digests = List.of(Digests.sha256(busybox), Digests.sha256(big));
            double curlSeconds = curl(registry.url() + "/v2/bench/big/blobs/", digests);
            double toolsSeconds = curlHashAndUnpack(registry.url() + "/v2/bench/big/blobs/", digests);

            double plainMedian = median(plain);
            double imageMedian = median(image);
            System.out.printf(Locale.ROOT, "%n== ImageLaunchBench: %d rounds of %d tasks each way ==%n", rounds,
                    perRound);
            System.out.printf(Locale.ROOT, "launch to RUNNING, no image:     p50 %.1f ms, p90 %.1f ms%n",
                    plainMedian * 1e3, percentile(plain, 0.9) * 1e3);
            System.out.printf(Locale.ROOT, "launch to RUNNING, cached image: p50 %.1f ms, p90 %.1f ms%n",
                    imageMedian * 1e3, percentile(image, 0.9) * 1e3);
            System.out.printf(Locale.ROOT, "cached image / no image: p50 %.2f, p90 %.2f (target <= 1.5)%n",
                    imageMedian / plainMedian, percentile(image, 0.9) / percentile(plain, 0.9));
            System.out.printf(Locale.ROOT, "first pull of %.1f MB to RUNNING: %.2f s, %.0f MB/s; curl of the same "
                            + "blobs: %.2f s, %.0f MB/s; ratio %.2f%n", blobBytes / 1e6, pullSeconds,
                    blobBytes / 1e6 / pullSeconds, curlSeconds, blobBytes / 1e6 / curlSeconds, pullSeconds / curlSeconds);
            System.out.printf(Locale.ROOT, "the same with the tools (curl to a file, sha256sum, tar -xzf): %.2f s, "
                    + "%.0f MB/s; ratio %.2f%n", toolsSeconds, blobBytes / 1e6 / toolsSeconds, pullSeconds / toolsSeconds);
        }
    }

    /** curl downloading each blob to /dev/null, one after another; seconds in all. */
    private static double curl(String blobsUrl, List<String> digests) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sSf", "--max-time", "120"));
        for (String digest : digests) {
            command.addAll(List.of("-o", "/dev/null", blobsUrl + digest));
        }
        long start = System.nanoTime();
        Process curl = new ProcessBuilder(command).inheritIO().start();
        if (curl.waitFor() != 0) {
            throw new AssertionError("curl failed: " + command);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * What the agent does for each blob, done with the usual tools: download to a file, hash it, unpack it;
     * seconds in all.
     */
    private static double curlHashAndUnpack(String blobsUrl, List<String> digests) throws Exception {
        Path dir = Files.createTempDirectory("berth-image-bench-tools");
        StringBuilder script = new StringBuilder("set -e; cd " + dir + "; ");
        for (int i = 0; i < digests.size(); i++) {
            script.append(String.format(Locale.ROOT, "curl -sSf --max-time 120 -o blob%d %s%s; sha256sum blob%d "
                    + ">/dev/null; mkdir layer%d; tar -xzf blob%d -C layer%d; rm blob%d; ", i, blobsUrl,
                    digests.get(i), i, i, i, i, i));
        }
        long start = System.nanoTime();
        Process tools = new ProcessBuilder("bash", "-c", script.toString()).inheritIO().start();
        if (tools.waitFor() != 0) {
            throw new AssertionError("the tools failed: " + script);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        return seconds;
    }

    private static double median(List<Double> values) {
        return percentile(values, 0.5);
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size())));
    }

    /** One task at a time: launch, await RUNNING, kill, await KILLED; the time is launch to RUNNING. */
    private record Launcher(NodeCommands commands, TaskStatusWatch statuses) {
        private static int launched;

        double launchOne(ContainerImage image, int round) {
            String taskId = String.format(Locale.ROOT, "bench_image.%d-%05d", round, launched++);
            String cmd = image == null ? "exec sleep 600" : "exec /bin/busybox sleep 600";
            TaskSpec spec = new TaskSpec(cmd, List.of(), Map.of(), Map.of(), 0.1, 32, 0, List.of(), null, List.of(),
                    null, List.of(), image);
            long start = System.nanoTime();
            commands.send(LaunchTask.of(NODE, taskId, "/bench/image", 1, spec, null));
            commands.flush();
            long running = awaitState(taskId, TaskState.RUNNING);
            commands.send(KillTask.of(NODE, taskId, 1, "benchmark over", null));
            commands.flush();
            awaitState(taskId, TaskState.KILLED);
            return (running - start) / 1e9;
        }

        private long awaitState(String taskId, TaskState state) {
            return await(taskId + " " + state).atMost(DEADLINE).pollInterval(Duration.ofMillis(5)).until(() -> {
                for (TaskStatusWatch.Seen seen : statuses.matching(s -> s.taskId().equals(taskId))) {
                    TaskStatus status = seen.status();
                    if (status.state() == state) {
                        return seen.nanoTime();
                    }
                    if (status.state().isTerminal()) {
                        throw new AssertionError(taskId + " ended " + status.state() + ": " + status.reason());
                    }
                }
                return null;
            }, at -> at != null);
        }
    }
}
