package dev.keel.httpapi.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.os.runtime.bench.HostLeftovers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/keel-bench api} (issue 4): keeld beside a dockerd of the docker.io package, each on its own data root,
 * exec root, cgroup parent, unix socket and loopback TCP port, the same busybox image imported into both through the
 * CLI; then, each side in the same run:
 * <ul>
 *   <li>run_rm: {@code docker run --rm IMAGE true} with the real CLI (/usr/bin/docker) over the unix socket, the
 *   two daemons interleaved run by run after {@value #WARM_UP_RUNS} discarded runs each; median; the ratio is
 *   dockerd's median over keeld's;</li>
 *   <li>reads: {@code GET /containers/json?all=1} with N created containers and {@code GET /containers/{id}/json},
 *   {@code wrk -t2 -c16 --latency} over TCP loopback; requests/s and p99; reads_ratio is the smaller of the two
 *   keel/dockerd ratios, so it meets a goal only when both reads do;</li>
 *   <li>create_rm: create + remove of containers (not started) by {@value #CLIENTS} concurrent clients over TCP;
 *   operations/s; keeld's over dockerd's;</li>
 *   <li>replay: {@link dev.keel.httpapi.event.bench.EventReplayBench} in a JVM of its own, after both daemons
 *   stopped.</li>
 * </ul>
 * Without /usr/sbin/dockerd, keeld's figures are printed and the ratios are {@code n/a}. System properties:
 * {@code keel.api.bench.scale} (1 = 20 runs, 10 s per wrk run, 100 listed containers, 400 create + remove per side,
 * 1,000,000 replayed events), {@code keel.api.bench.keeld.path}. Everything it made is removed at the end, whether it
 * passed or failed.
 */
public final class ApiBench {

    private static final String IMAGE = "keel-bench/busybox:api";
    private static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    private static final Path DOCKER_CLI = Path.of("/usr/bin/docker");
    private static final int WARM_UP_RUNS = 2;
    private static final int CLIENTS = 8;
    private static final String CREATE_BODY = "{\"Image\":\"" + IMAGE + "\",\"Cmd\":[\"true\"]}";
    private static final Pattern REQUESTS_PER_S = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s)");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One daemon as the bench reaches it: the CLI over its unix socket, the load over TCP loopback. */
    private record Engine(String name, Path socket, URI tcp) {}

    /** One wrk run: requests per second and the 99th percentile latency. */
    private record Load(double requestsPerS, double p99Ms) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.0f req/s, p99 %.2f ms", requestsPerS, p99Ms);
        }
    }

    /** What one daemon measured. */
    private record Figures(List<Double> runRmMs, Load list, Load inspect, double createRmPerS) {

        double runRmMedianMs() {
            return median(runRmMs);
        }
    }

    private ApiBench() {}

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("keel.api.bench.scale", "1"));
        Path launcher = Path.of(System.getProperty("keel.api.bench.keeld.path", "bin/keeld"));
        int runs = Math.max(3, (int) Math.round(20 * scale));
        int wrkSeconds = Math.max(1, (int) Math.round(10 * scale));
        int listed = Math.max(10, (int) Math.round(100 * scale));
        int createRm = Math.max(CLIENTS * 5, (int) Math.round(400 * scale));

        long pid = ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("keel-bench-api-");
        // Short: the monitors' attach sockets and containerd's sockets live under the exec roots.
        Path keelExec = Files.createDirectory(Path.of("/tmp", "ka" + pid));
        Path dockerExec = Files.createDirectory(Path.of("/tmp", "kd" + pid));
        String keelCgroups = "/keel-bench-" + pid;
        String dockerCgroups = "/keel-bench-docker-" + pid;
        HostLeftovers leftovers = new HostLeftovers(List.of(dir, keelExec, dockerExec),
                List.of(keelCgroups, dockerCgroups));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<Engine, Figures> figures = new LinkedHashMap<>();
        long replayEventsPerS;
        System.out.println("load average before: " + loadAverage());
        Thread atShutdown = leftovers.removeAtShutdown();
        try {
            Path image = busyboxImage(dir);
            Engine keel = new Engine("keeld", dir.resolve("keel.sock"), loopback());
            List<DaemonProcess> daemons = new ArrayList<>(List.of(
                    startKeeld(launcher, keel, dir, keelExec, keelCgroups, http)));
            try {
                List<Engine> engines = new ArrayList<>(List.of(keel));
                if (Files.isExecutable(DOCKERD)) {
                    Engine docker = new Engine("dockerd", dir.resolve("docker.sock"), loopback());
                    daemons.add(startDockerd(docker, dir, dockerExec, dockerCgroups, "keel-bench-" + pid, http));
                    engines.add(docker);
                } else {
                    System.out.println(DOCKERD + " is not installed: measuring keeld alone, ratios n/a");
                }
                for (Engine engine : engines) {
                    cli(dir, engine, "import", "--change", "CMD [\"sh\"]", image.toString(), IMAGE);
                }
                Map<Engine, List<Double>> runRm = runRm(dir, engines, runs);
                Map<Engine, List<Load>> reads = reads(http, engines, listed, wrkSeconds);
                for (Engine engine : engines) {
                    double createRmPerS = createRm(http, engine, createRm);
                    figures.put(engine, new Figures(runRm.get(engine), reads.get(engine).get(0),
                            reads.get(engine).get(1), createRmPerS));
                }
            } catch (Exception e) {
                StringBuilder logs = new StringBuilder();
                for (DaemonProcess daemon : daemons) {
                    logs.append('\n').append(daemon.log());
                }
                throw new IllegalStateException("api bench failed; the daemons' last output:" + logs, e);
            } finally {
                for (DaemonProcess daemon : daemons) {
                    daemon.stop();
                }
            }
            replayEventsPerS = replay(Files.createDirectories(dir.resolve("replay")));
        } finally {
            leftovers.remove();
            HostLeftovers.withdraw(atShutdown);
        }
        System.out.println("load average after: " + loadAverage());
        report(figures, runs, listed, wrkSeconds, createRm, replayEventsPerS);
    }

    private static DaemonProcess startKeeld(Path launcher, Engine keel, Path dir, Path execRoot, String cgroupParent,
            HttpClient http) throws Exception {
        return DaemonProcess.start("keeld", List.of(launcher.toString(),
                "--data-root", dir.resolve("keel").toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("keeld.pid").toString(),
                "-H", "unix://" + keel.socket(), "-H", "tcp://" + keel.tcp().getAuthority()),
                Map.of("KEELD_JAVA_OPTS", System.getenv().getOrDefault("KEELD_JAVA_OPTS", "")
                        + " -Dkeel.native.runtime.cgroup-parent=" + cgroupParent), keel.tcp(), http);
    }

    /**
     * dockerd with an empty configuration, its own containerd (which it starts, state under its exec root), containerd
     * namespaces and cgroup parent of its own, and the host's network untouched.
     */
    private static DaemonProcess startDockerd(Engine docker, Path dir, Path execRoot, String cgroupParent,
            String namespace, HttpClient http) throws Exception {
        return DaemonProcess.start("dockerd", List.of(DOCKERD.toString(),
                "--config-file", Files.writeString(dir.resolve("daemon.json"), "{}").toString(),
                "--data-root", Files.createDirectories(dir.resolve("docker")).toString(),
                "--exec-root", execRoot.toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(),
                "-H", "unix://" + docker.socket(), "-H", "tcp://" + docker.tcp().getAuthority(),
                "--containerd-namespace", namespace,
                "--containerd-plugins-namespace", namespace + "-plugins",
                "--cgroup-parent", cgroupParent,
                "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--bridge=none",
                "--log-level=error"), Map.of(), docker.tcp(), http);
    }

    private static void report(Map<Engine, Figures> figures, int runs, int listed, int wrkSeconds, int createRm,
            long replayEventsPerS) {
        List<String> raw = new ArrayList<>();
        for (Map.Entry<Engine, Figures> side : figures.entrySet()) {
            String name = side.getKey().name();
            Figures f = side.getValue();
            System.out.printf(Locale.ROOT, "%s docker run --rm (ms), %d runs: %s%n", name, runs, rounded(f.runRmMs()));
            System.out.printf(Locale.ROOT, "%s GET /containers/json?all=1 (%d containers), %d s: %s%n", name, listed,
                    wrkSeconds, f.list());
            System.out.printf(Locale.ROOT, "%s GET /containers/{id}/json, %d s: %s%n", name, wrkSeconds, f.inspect());
            System.out.printf(Locale.ROOT, "%s create + remove, %d clients, %d containers: %.1f ops/s%n", name,
                    CLIENTS, createRm, f.createRmPerS());
            raw.add(String.format(Locale.ROOT, "%1$s_run_rm_ms=%2$.1f %1$s_list_rps=%3$.0f %1$s_list_p99_ms=%4$.2f "
                    + "%1$s_inspect_rps=%5$.0f %1$s_inspect_p99_ms=%6$.2f %1$s_create_rm_per_s=%7$.1f", name,
                    f.runRmMedianMs(), f.list().requestsPerS(), f.list().p99Ms(), f.inspect().requestsPerS(),
                    f.inspect().p99Ms(), f.createRmPerS()));
        }
        System.out.println("api raw: " + String.join(" ", raw));
        List<Figures> sides = List.copyOf(figures.values());
        Optional<Figures> docker = sides.size() > 1 ? Optional.of(sides.get(1)) : Optional.empty();
        Figures keel = sides.get(0);
        System.out.printf(Locale.ROOT,
                "api: run_rm_ratio=%s reads_ratio=%s create_rm_ratio=%s replay_events_per_s=%d%n",
                docker.map(d -> ratio(d.runRmMedianMs() / keel.runRmMedianMs())).orElse("n/a"),
                docker.map(d -> ratio(Math.min(keel.list().requestsPerS() / d.list().requestsPerS(),
                        keel.inspect().requestsPerS() / d.inspect().requestsPerS()))).orElse("n/a"),
                docker.map(d -> ratio(keel.createRmPerS() / d.createRmPerS())).orElse("n/a"),
                replayEventsPerS);
    }

    private static Map<Engine, List<Double>> runRm(Path dir, List<Engine> engines, int runs) throws Exception {
        Map<Engine, List<Double>> times = new LinkedHashMap<>();
        engines.forEach(engine -> times.put(engine, new ArrayList<>()));
        for (int i = -WARM_UP_RUNS; i < runs; i++) {
            for (Engine engine : engines) {
                long t0 = System.nanoTime();
                // dockerd runs here with --bridge=none (it must not touch the host's network), so its containers
                // have no network; keeld's get none either, or the bench would weigh a bridge against nothing.
                cli(dir, engine, "run", "--rm", "--network", "none", IMAGE, "true");
                long t1 = System.nanoTime();
                if (i >= 0) {
                    times.get(engine).add((t1 - t0) / 1e6);
                }
            }
        }
        return times;
    }

    /** Per engine: the list load, then the inspect load; the engines take turns so both see the same machine. */
    private static Map<Engine, List<Load>> reads(HttpClient http, List<Engine> engines, int listed, int seconds)
            throws Exception {
        Map<Engine, List<String>> containers = new LinkedHashMap<>();
        Map<Engine, List<Load>> loads = new LinkedHashMap<>();
        try {
            for (Engine engine : engines) {
                List<String> ids = new ArrayList<>();
                containers.put(engine, ids);
                for (int i = 0; i < listed; i++) {
                    ids.add(create(http, engine));
                }
                loads.put(engine, new ArrayList<>());
            }
            for (Engine engine : engines) {
                loads.get(engine).add(wrk(engine.tcp().resolve("/v1.41/containers/json?all=1"), seconds));
            }
            for (Engine engine : engines) {
                String id = containers.get(engine).get(listed / 2);
                loads.get(engine).add(wrk(engine.tcp().resolve("/v1.41/containers/" + id + "/json"), seconds));
            }
            return loads;
        } finally {
            for (Map.Entry<Engine, List<String>> side : containers.entrySet()) {
                for (String id : side.getValue()) {
                    remove(http, side.getKey(), id);
                }
            }
        }
    }

    private static double createRm(HttpClient http, Engine engine, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Callable<Void>> work = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int share = count / CLIENTS + (c < count % CLIENTS ? 1 : 0);
                work.add(() -> {
                    for (int i = 0; i < share; i++) {
                        remove(http, engine, create(http, engine));
                    }
                    return null;
                });
            }
            long t0 = System.nanoTime();
            for (Future<Void> client : clients.invokeAll(work)) {
                client.get();
            }
            return count / ((System.nanoTime() - t0) / 1e9);
        } finally {
            clients.shutdownNow();
        }
    }

    private static String create(HttpClient http, Engine engine) throws IOException, InterruptedException {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(engine.tcp().resolve("/v1.41/containers/create"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CREATE_BODY)).build(), HttpResponse.BodyHandlers.ofString());
        check(reply.statusCode() == 201, engine.name() + " create: HTTP " + reply.statusCode() + " " + reply.body());
        return JSON.readTree(reply.body()).path("Id").asText();
    }

    private static void remove(HttpClient http, Engine engine, String id) throws IOException, InterruptedException {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(engine.tcp().resolve("/v1.41/containers/" + id
                + "?force=1")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        check(reply.statusCode() == 204, engine.name() + " remove " + id + ": HTTP " + reply.statusCode() + " "
                + reply.body());
    }

    private static Load wrk(URI target, int seconds) throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c16", "-d" + seconds + "s", "--latency", target.toString())
                .redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(wrk.waitFor() == 0, "wrk " + target + " failed:\n" + output);
        // Error answers would be fast and counted: a run with any is not a measurement.
        check(!output.contains("Non-2xx or 3xx responses") && !output.contains("Socket errors"),
                "wrk " + target + " saw errors:\n" + output);
        Matcher rate = REQUESTS_PER_S.matcher(output);
        Matcher p99 = P99.matcher(output);
        check(rate.find() && p99.find(), "wrk " + target + " printed no rate or p99:\n" + output);
        double p99Value = Double.parseDouble(p99.group(1));
        double p99Ms = switch (p99.group(2)) {
            case "us" -> p99Value / 1000;
            case "s" -> p99Value * 1000;
            default -> p99Value;
        };
        return new Load(Double.parseDouble(rate.group(1)), p99Ms);
    }

    /** The docker CLI against one engine's unix socket, with a config directory of the bench's own. */
    private static String cli(Path dir, Engine engine, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DOCKER_CLI.toString(), "-H", "unix://" + engine.socket()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("DOCKER_HOST");
        builder.environment().remove("DOCKER_CONTEXT");
        builder.environment().put("DOCKER_CONFIG", Files.createDirectories(dir.resolve("cli-config")).toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(process.waitFor() == 0, engine.name() + ": " + String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    /**
     * {@code bin/keel-bench api-replay} in a JVM of its own, with this JVM's flags and classpath, and {@code tmp} as
     * its temp directory, so that the bench's leftovers include its journal and keeld.
     */
    private static long replay(Path tmp) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                "dev.keel.httpapi.event.bench.EventReplayBench"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Its exec root is /tmp/kr<its pid>, outside tmp.
        HostLeftovers execRoot = new HostLeftovers(List.of(Path.of("/tmp", "kr" + process.pid())), List.of());
        Thread atShutdown = execRoot.removeAtShutdown();
        String last = "";
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                System.out.println("  " + line);
                last = line;
            }
        }
        boolean ended = process.waitFor(30, TimeUnit.MINUTES);
        execRoot.remove();
        HostLeftovers.withdraw(atShutdown);
        check(ended && process.exitValue() == 0, "the replay bench failed");
        Matcher rate = Pattern.compile("replay_events_per_s=(\\d+)").matcher(last);
        check(rate.find(), "the replay bench's last line has no replay_events_per_s: " + last);
        return Long.parseLong(rate.group(1));
    }

    private static Path busyboxImage(Path dir) throws IOException, InterruptedException {
        Path rootfs = dir.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        for (String d : List.of("tmp", "etc", "proc", "sys", "dev")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : List.of("sh", "true", "sleep", "echo")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path tar = dir.resolve("busybox.tar");
        Process process = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", tar.toString(), ".")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(process.waitFor() == 0, "tar of " + rootfs + " failed: " + output);
        return tar;
    }

    /** A free loopback port, as the daemon's TCP endpoint. */
    private static URI loopback() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
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
