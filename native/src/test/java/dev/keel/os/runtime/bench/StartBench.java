package dev.keel.os.runtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.os.runtime.BusyboxRootfs;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bin/keel-bench start} (issue 3). Drives a real bin/keeld (temp data root, short exec root, a cgroup parent of
 * its own) over its unix socket with the Engine API, as the docker CLI would, and measures in one run:
 * <ul>
 *   <li>create + start + exit observed ({@code POST /containers/create}, {@code /start}, {@code /wait}) of
 *   {@code true} in a busybox image, interleaved run by run with a bare {@code runc run} of the bundle keeld itself
 *   wrote for that image (its config.json; the root a plain directory with the image's files); medians after
 *   {@value #WARM_UP_RUNS} discarded runs of each;</li>
 *   <li>VmRSS of the keel-monitor of each of N running ({@code sleep}) containers, median (Pss and Private_Dirty
 *   printed beside it);</li>
 *   <li>M {@code sleep} containers created and started concurrently (one connection each) until all are listed as
 *   running, then removed with force, concurrently.</li>
 * </ul>
 * System properties: {@code keel.start.bench.scale} (1 = 30 runs, 10 idle containers, 100 concurrent),
 * {@code keel.start.bench.keeld.path}, {@code keel.start.bench.runc.path}. Everything it made is removed at the end,
 * whether it passed or failed.
 */
public final class StartBench {

    private static final String IMAGE_REPOSITORY = "keel-bench/busybox";
    private static final String IMAGE_TAG = "start";
    private static final String IMAGE = IMAGE_REPOSITORY + ":" + IMAGE_TAG;
    private static final int WARM_UP_RUNS = 3;
    private static final Duration ALL_RUNNING_TIMEOUT = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private StartBench() {}

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("keel.start.bench.scale", "1"));
        Path launcher = Path.of(System.getProperty("keel.start.bench.keeld.path", "bin/keeld"));
        Path runc = Path.of(System.getProperty("keel.start.bench.runc.path", "/usr/sbin/runc"));
        int runs = Math.max(3, (int) Math.round(30 * scale));
        int idle = Math.max(2, (int) Math.round(10 * scale));
        int concurrent = Math.max(4, (int) Math.round(100 * scale));

        long pid = ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("keel-bench-start-");
        // Short: the monitors' attach sockets live under the exec root and must fit a unix socket path.
        Path execRoot = Files.createDirectory(Path.of("/tmp", "kb" + pid));
        String keelCgroups = "/keel-bench-" + pid;
        String runcCgroups = "/keel-bench-runc-" + pid;
        HostLeftovers leftovers = new HostLeftovers(List.of(dir, execRoot), List.of(keelCgroups, runcCgroups));
        System.out.println("load average before: " + loadAverage());
        Thread atShutdown = leftovers.removeAtShutdown();
        try {
            Path rootfs = BusyboxRootfs.create(dir.resolve("rootfs"));
            byte[] image = tar(rootfs, dir.resolve("busybox.tar"));
            Path dataRoot = dir.resolve("data");
            Path socket = dir.resolve("keel.sock");
            KeeldProcess keeld = KeeldProcess.start(launcher, dataRoot, execRoot, socket, keelCgroups);
            try (EngineClient engine = new EngineClient(socket)) {
                importImage(engine, image);
                ObjectNode bundle = bundleKeeldWrites(engine, dataRoot);
                Starts starts = startAndExit(engine, runc, bundle, rootfs, dir.resolve("bundles"),
                        execRoot.resolve("bare"), runcCgroups, runs);
                MonitorMemory monitors = monitorMemory(engine, idle);
                Concurrent together = concurrently(socket, engine, concurrent);

                double keelMedian = median(starts.keelMs());
                double runcMedian = median(starts.runcMs());
                System.out.println("keel create+start+exit (ms), " + runs + " runs: " + rounded(starts.keelMs()));
                System.out.println("bare runc run (ms), " + runs + " runs: " + rounded(starts.runcMs()));
                System.out.printf(Locale.ROOT, "keel median %.1f ms (create %.1f, start %.1f, wait %.1f; "
                        + "with the remove %.1f), runc median %.1f ms%n", keelMedian, median(starts.createMs()),
                        median(starts.startMs()), median(starts.waitMs()), median(starts.keelWithRemoveMs()),
                        runcMedian);
                System.out.println("keel-monitor of " + idle + " running containers (KiB): VmRSS " + monitors.rss() + ", Pss "
                        + monitors.pss() + ", Private_Dirty " + monitors.privateDirty());
                System.out.printf(Locale.ROOT, "%d containers created and started concurrently, all running after "
                        + "%.2f s; removed (force) in %.2f s%n", concurrent, together.runningS(), together.removedS());
                System.out.println("load average after: " + loadAverage());
                System.out.printf(Locale.ROOT, "start: keel_median_ms=%.1f runc_median_ms=%.1f ratio_vs_runc=%.2f "
                        + "monitor_rss_kb=%d concurrent%d_s=%.2f%n", keelMedian, runcMedian, keelMedian / runcMedian,
                        Math.round(median(monitors.rss().stream().map(Long::doubleValue).toList())), concurrent,
                        together.runningS());
            } catch (Exception e) {
                throw new IllegalStateException("start bench failed; keeld's last output:\n" + keeld.log(), e);
            } finally {
                keeld.stop();
            }
        } finally {
            leftovers.remove();
            HostLeftovers.withdraw(atShutdown);
        }
    }

    /** Per measured run, in ms: keel's whole path and its steps, and the bare runc run. */
    private record Starts(List<Double> keelMs, List<Double> createMs, List<Double> startMs, List<Double> waitMs,
            List<Double> keelWithRemoveMs, List<Double> runcMs) {}

    private record Concurrent(double runningS, double removedS) {}

    /**
     * Per running container's monitor, in KiB: VmRSS (the figure) counts the file pages it maps in every
     * process; Pss shares them out; Private_Dirty is what each extra monitor really adds.
     */
    private record MonitorMemory(List<Long> rss, List<Long> pss, List<Long> privateDirty) {}

    private static Starts startAndExit(EngineClient engine, Path runc, ObjectNode bundle, Path rootfs, Path bundles,
            Path runcState, String runcCgroups, int runs) throws Exception {
        List<Double> keel = new ArrayList<>();
        List<Double> creates = new ArrayList<>();
        List<Double> startCalls = new ArrayList<>();
        List<Double> waits = new ArrayList<>();
        List<Double> keelWithRemove = new ArrayList<>();
        List<Double> bare = new ArrayList<>();
        for (int i = -WARM_UP_RUNS; i < runs; i++) {
            long t0 = System.nanoTime();
            String id = create(engine, List.of("true"));
            long created = System.nanoTime();
            engine.call("POST", "/v1.41/containers/" + id + "/start").expect(204, "start " + id);
            long started = System.nanoTime();
            JsonNode exit = JSON.readTree(engine.call("POST", "/v1.41/containers/" + id + "/wait")
                    .expect(200, "wait " + id).body());
            long t1 = System.nanoTime();
            remove(engine, id);
            long t2 = System.nanoTime();
            check(exit.path("StatusCode").asInt(-1) == 0, "keel's container exited " + exit);

            String bareId = "b" + (i + WARM_UP_RUNS);
            Path bundleDir = Files.createDirectories(bundles.resolve(bareId));
            ObjectNode config = bundle.deepCopy();
            ((ObjectNode) config.path("process")).putArray("args").add("true");
            ((ObjectNode) config.path("root")).put("path", rootfs.toString());
            ((ObjectNode) config.path("linux")).put("cgroupsPath", runcCgroups + "/" + bareId);
            config.put("hostname", bareId);
            JSON.writeValue(bundleDir.resolve("config.json").toFile(), config);
            long t3 = System.nanoTime();
            Process process = new ProcessBuilder(runc.toString(), "--root", runcState.toString(), "run",
                    "--bundle", bundleDir.toString(), bareId)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int code = process.waitFor();
            long t4 = System.nanoTime();
            check(code == 0, "bare runc run of " + bundleDir + " exited " + code);
            if (i >= 0) {
                keel.add((t1 - t0) / 1e6);
                creates.add((created - t0) / 1e6);
                startCalls.add((started - created) / 1e6);
                waits.add((t1 - started) / 1e6);
                keelWithRemove.add((t2 - t0) / 1e6);
                bare.add((t4 - t3) / 1e6);
            }
        }
        return new Starts(keel, creates, startCalls, waits, keelWithRemove, bare);
    }

    /**
     * The config.json keeld wrote for a running container of the bench image: the bare runc runs use it, so both sides
     * set up the same namespaces, mounts, capabilities, seccomp profile and cgroup.
     */
    private static ObjectNode bundleKeeldWrites(EngineClient engine, Path dataRoot) throws Exception {
        String id = create(engine, List.of("sleep", "1000"));
        try {
            engine.call("POST", "/v1.41/containers/" + id + "/start").expect(204, "start " + id);
            Path config = dataRoot.resolve("runtime").resolve("containers").resolve(id).resolve("config.json");
            ObjectNode bundle = (ObjectNode) JSON.readTree(config.toFile());
            // The /etc files keeld binds in go with its container; the bare runs do without them.
            ArrayNode mounts = JSON.createArrayNode();
            bundle.path("mounts").forEach(m -> {
                if (!m.path("source").asText().startsWith(dataRoot.toString())) {
                    mounts.add(m);
                }
            });
            bundle.set("mounts", mounts);
            return bundle;
        } finally {
            remove(engine, id);
        }
    }

    private static MonitorMemory monitorMemory(EngineClient engine, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                String id = create(engine, List.of("sleep", "1000"));
                ids.add(id);
                engine.call("POST", "/v1.41/containers/" + id + "/start").expect(204, "start " + id);
            }
            MonitorMemory memory = new MonitorMemory(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (String id : ids) {
                long containerPid = JSON.readTree(engine.call("GET", "/v1.41/containers/" + id + "/json")
                        .expect(200, "inspect " + id).body()).path("State").path("Pid").asLong();
                // keel-monitor is the container process's parent: it forks runc and reaps the container as subreaper.
                long monitor = Long.parseLong(statusField(containerPid, "PPid:"));
                String name = Files.readString(Path.of("/proc", Long.toString(monitor), "comm")).strip();
                check(name.equals("keel-monitor"), "the parent of " + id + "'s process " + containerPid + " is "
                        + name + ", not keel-monitor");
                memory.rss().add(kib(statusField(monitor, "VmRSS:")));
                memory.pss().add(kib(smapsRollupField(monitor, "Pss:")));
                memory.privateDirty().add(kib(smapsRollupField(monitor, "Private_Dirty:")));
            }
            return memory;
        } finally {
            for (String id : ids) {
                remove(engine, id);
            }
        }
    }

    private static Concurrent concurrently(Path socket, EngineClient engine, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(count);
        List<String> ids = new ArrayList<>();
        try {
            List<Callable<String>> starts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                starts.add(() -> {
                    try (EngineClient client = new EngineClient(socket)) {
                        String id = create(client, List.of("sleep", "1000"));
                        client.call("POST", "/v1.41/containers/" + id + "/start").expect(204, "start " + id);
                        return id;
                    }
                });
            }
            long t0 = System.nanoTime();
            List<Future<String>> started = clients.invokeAll(starts);
            for (Future<String> id : started) {
                ids.add(id.get());
            }
            awaitAllRunning(engine, ids);
            long t1 = System.nanoTime();
            List<Callable<Void>> removals = new ArrayList<>();
            for (String id : ids) {
                removals.add(() -> {
                    try (EngineClient client = new EngineClient(socket)) {
                        remove(client, id);
                    }
                    return null;
                });
            }
            for (Future<Void> removal : clients.invokeAll(removals)) {
                removal.get();
            }
            long t2 = System.nanoTime();
            ids.clear();
            return new Concurrent((t1 - t0) / 1e9, (t2 - t1) / 1e9);
        } finally {
            clients.shutdownNow();
            for (String id : ids) {
                remove(engine, id);
            }
        }
    }

    private static void awaitAllRunning(EngineClient engine, Collection<String> ids) throws IOException {
        long deadline = System.nanoTime() + ALL_RUNNING_TIMEOUT.toNanos();
        while (true) {
            Set<String> running = new HashSet<>();
            // Without all=1 the list holds running containers only.
            for (JsonNode container : JSON.readTree(engine.call("GET", "/v1.41/containers/json")
                    .expect(200, "list").body())) {
                running.add(container.path("Id").asText());
            }
            if (running.containsAll(ids)) {
                return;
            }
            check(System.nanoTime() < deadline, "not all " + ids.size() + " containers running after "
                    + ALL_RUNNING_TIMEOUT);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static String create(EngineClient engine, List<String> command) throws IOException {
        ObjectNode body = JSON.createObjectNode().put("Image", IMAGE);
        command.forEach(body.putArray("Cmd")::add);
        // Like the bare runc baseline: an empty network namespace (bin/keel-bench net measures what networking adds).
        body.putObject("HostConfig").put("NetworkMode", "none");
        String reply = engine.call("POST", "/v1.41/containers/create", JSON.writeValueAsString(body))
                .expect(201, "create").body();
        return JSON.readTree(reply).path("Id").asText();
    }

    private static void remove(EngineClient engine, String id) throws IOException {
        engine.call("DELETE", "/v1.41/containers/" + id + "?force=1").expect(204, "remove " + id);
    }

    private static void importImage(EngineClient engine, byte[] image) throws IOException {
        EngineClient.Response reply = engine.call("POST", "/v1.41/images/create?fromSrc=-&repo=" + IMAGE_REPOSITORY
                + "&tag=" + IMAGE_TAG, "application/x-tar", image).expect(200, "import");
        check(!reply.body().contains("\"error"), "import failed: " + reply.body());
    }

    private static byte[] tar(Path rootfs, Path archive) throws IOException, InterruptedException {
        Process tar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", archive.toString(), ".")
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(tar.waitFor() == 0, "tar of " + rootfs + " failed: " + output);
        return Files.readAllBytes(archive);
    }

    private static String statusField(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field)) {
                return line.substring(field.length()).strip();
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    private static String smapsRollupField(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            if (line.startsWith(field)) {
                return line.substring(field.length()).strip();
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/smaps_rollup");
    }

    /** "3936 kB" → 3936. */
    private static long kib(String value) {
        return Long.parseLong(value.replace("kB", "").strip());
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static List<String> rounded(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList();
    }
}
