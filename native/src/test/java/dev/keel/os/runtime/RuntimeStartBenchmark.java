package dev.keel.os.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.keel.os.monitor.HostProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Measures, in one run and interleaved: create + start + exit observed for {@code true} through {@link RuncRuntime}
 * (keel-monitor + runc), against a bare {@code runc run} of the same bundle; then the monitor's VmRSS per idle running
 * container. Prints one line: {@code start: keel_median_ms=... runc_median_ms=... ratio_vs_runc=...
 * monitor_rss_kb=...}.
 *
 * <p>Arguments: runs (default 20), idle containers for the RSS figure (default 10).
 */
public final class RuntimeStartBenchmark {

    private static final String CGROUP_PARENT = "/keel-bench";

    private RuntimeStartBenchmark() {}

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int idle = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path root = Files.createTempDirectory("keel-bench-start-");
        ObjectMapper json = new ObjectMapper();
        RuntimeSettings settings = RuntimeSettings.fromConfig(
                ConfigFactory.defaultReference().getConfig("keel.native.runtime"))
            .withRoots(root.resolve("state"), root.resolve("exec"))
            .withCgroupParent(CGROUP_PARENT);
        try (RuncRuntime runtime = new RuncRuntime(settings, json, System.getProperty("os.arch"))) {
            Path rootfs = BusyboxRootfs.create(root.resolve("rootfs"));
            Path bareRoot = root.resolve("bare-runc");
            List<Double> keel = new ArrayList<>();
            List<Double> keelWithDelete = new ArrayList<>();
            List<Double> bare = new ArrayList<>();
            for (int i = -3; i < runs; i++) {
                String id = "k" + (i + 3);
                ContainerSpec spec = ContainerSpec.of(id, rootfs, List.of("true"));
                long t0 = System.nanoTime();
                runtime.create(spec);
                runtime.start(id);
                int code = runtime.awaitExit(id).get(30, TimeUnit.SECONDS).exitCode();
                long t1 = System.nanoTime();
                runtime.delete(id, true);
                long t2 = System.nanoTime();
                check(code == 0, "keel container exited " + code);

                String bareId = "b" + (i + 3);
                Path bundle = Files.createDirectories(root.resolve("bundles").resolve(bareId));
                ProcessUser user = UserDatabase.of(rootfs).resolve("", List.of());
                json.writeValue(bundle.resolve("config.json").toFile(),
                    new BundleConfig(json, CGROUP_PARENT, System.getProperty("os.arch"),
                        DaemonPrivileges.openFilesLimit(settings.openFilesLimit(), Path.of("/proc/self")))
                        .of(ContainerSpec.of(bareId, rootfs, List.of("true")), user));
                long t3 = System.nanoTime();
                Process runc = new ProcessBuilder(settings.runtimePath().toString(), "--root", bareRoot.toString(),
                    "run", "--bundle", bundle.toString(), bareId)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                int bareCode = runc.waitFor();
                long t4 = System.nanoTime();
                check(bareCode == 0, "bare runc run exited " + bareCode);
                if (i >= 0) {
                    keel.add((t1 - t0) / 1e6);
                    keelWithDelete.add((t2 - t0) / 1e6);
                    bare.add((t4 - t3) / 1e6);
                }
            }

            List<Long> rss = new ArrayList<>();
            List<String> idleIds = new ArrayList<>();
            List<Long> monitors = new ArrayList<>();
            for (int i = 0; i < idle; i++) {
                String id = "idle" + i;
                idleIds.add(id);
                monitors.add(runtime.create(ContainerSpec.of(id, rootfs, List.of("sleep", "1000"))).monitorPid());
                runtime.start(id);
            }
            // Measured once all are up and idle.
            List<Long> pss = new ArrayList<>();
            List<Long> privateDirty = new ArrayList<>();
            for (long monitor : monitors) {
                rss.add(HostProcess.residentKib(monitor).orElseThrow());
                pss.add(smapsRollupKib(monitor, "Pss:"));
                privateDirty.add(smapsRollupKib(monitor, "Private_Dirty:"));
            }
            for (String id : idleIds) {
                runtime.delete(id, true);
            }

            double keelMedian = median(keel);
            double bareMedian = median(bare);
            System.out.printf("keel create+start+exit (ms): median %.1f min %.1f max %.1f; with delete: median %.1f%n",
                keelMedian, Collections.min(keel), Collections.max(keel), median(keelWithDelete));
            System.out.printf("bare runc run (ms):          median %.1f min %.1f max %.1f%n",
                bareMedian, Collections.min(bare), Collections.max(bare));
            System.out.printf("keel-monitor per idle container (KiB), %d containers: VmRSS %s, Pss %s, Private_Dirty %s%n",
                idle, rss, pss, privateDirty);
            System.out.printf("start: keel_median_ms=%.1f runc_median_ms=%.1f ratio_vs_runc=%.2f monitor_rss_kb=%d%n",
                keelMedian, bareMedian, keelMedian / bareMedian, medianLong(rss));
        } finally {
            removeTree(root);
            HostResidue.removeCgroupParent(CGROUP_PARENT);
        }
    }

    private static long smapsRollupKib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(field + " not in smaps_rollup of " + pid);
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

    private static long medianLong(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static void removeTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
