package dev.keel.httpapi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/keel-bench net} (issue 5), against a real bin/keeld on roots and an {@link dev.keel.netplane.IsolatedNetplane}
 * of its own ({@link IsolatedKeeld}), over its loopback TCP endpoint:
 * <ul>
 *   <li>attach overhead: {@code POST /containers/{id}/start} of a created {@code sleep} container until it answers 204,
 *   on the default bridge network ({@code NetworkMode "default"}, as the CLI sends it) and with
 *   {@code NetworkMode "none"}, the two taking turns run by run (which goes first alternates), {@value #WARM_UP_RUNS}
 *   discarded runs of each; the create before and the remove after are outside the clock; the overhead is the
 *   difference of the medians;</li>
 *   <li>cycles: {@link NetCycles}, then the bridges, veths, namespaces and iptables rules they left, counted, and the
 *   cycles per second.</li>
 * </ul>
 * System properties: {@code keel.net.bench.scale} (1 = 30 starts of each kind, 200 cycles),
 * {@code keel.net.bench.keeld.path}. Everything it made is removed at the end, whether it passed or failed.
 */
public final class NetBench {

    private static final int WARM_UP_RUNS = 3;
    private static final List<String> SLEEP = List.of("sleep", "1000");

    private NetBench() {}

    /** Per measured run, the start's latency in ms, on the default bridge and without a network. */
    private record Starts(List<Double> bridgeMs, List<Double> noneMs) {}

    public static void main(String[] args) throws Exception {
        double scale = Double.parseDouble(System.getProperty("keel.net.bench.scale", "1"));
        Path launcher = Path.of(System.getProperty("keel.net.bench.keeld.path", "bin/keeld"));
        int runs = Math.max(3, (int) Math.round(30 * scale));
        int cycles = Math.max(2, (int) Math.round(200 * scale));

        System.out.println("load average before: " + loadAverage());
        Starts starts;
        NetCycles.Outcome outcome;
        List<String> networksAfter;
        try (IsolatedKeeld keeld = IsolatedKeeld.start(launcher)) {
            System.out.println("keeld's netplane: tag " + keeld.netplane().tag() + ", sandboxes in "
                    + keeld.netplane().sandboxRoot());
            try {
                starts = starts(keeld.engine(), runs);
                outcome = NetCycles.run(keeld, cycles);
                networksAfter = keeld.engine().networkNames();
            } catch (Exception e) {
                throw new IllegalStateException("net bench failed; keeld's last output:\n" + keeld.log(), e);
            }
        }
        System.out.println("load average after: " + loadAverage());

        double bridge = median(starts.bridgeMs());
        double none = median(starts.noneMs());
        System.out.println("start on the default bridge (ms), " + runs + " runs: " + rounded(starts.bridgeMs()));
        System.out.println("start with network none (ms), " + runs + " runs: " + rounded(starts.noneMs()));
        System.out.printf(Locale.ROOT, "%d cycles of network create, run, connect, disconnect, remove, network rm in "
                + "%.1f s%n", outcome.cycles(), outcome.seconds());
        System.out.println("cycle steps, median ms: " + String.join(" ", outcome.stepsMs().entrySet().stream()
                .map(step -> String.format(Locale.ROOT, "%s=%.1f", step.getKey(), median(step.getValue())))
                .toList()));
        System.out.println("networks after the cycles: " + networksAfter);
        System.out.println("left by the cycles: " + (outcome.leftovers().isEmpty() ? "nothing"
                : String.join("; ", outcome.leftovers())));
        System.out.printf(Locale.ROOT, "net: attach_overhead_ms=%.1f cycles_leaked=%d bridge_start_ms=%.1f "
                + "none_start_ms=%.1f cycles_per_s=%.2f%n", bridge - none, outcome.leftovers().size(), bridge, none,
                outcome.cyclesPerS());
    }

    private static Starts starts(EngineApiClient engine, int runs) throws Exception {
        Starts starts = new Starts(new ArrayList<>(), new ArrayList<>());
        for (int i = -WARM_UP_RUNS; i < runs; i++) {
            // Alternating which goes first keeps whatever the previous remove leaves running off one side.
            List<String> order = Math.floorMod(i, 2) == 0 ? List.of("default", "none") : List.of("none", "default");
            for (String mode : order) {
                String id = engine.createContainer(IsolatedKeeld.IMAGE, SLEEP, mode);
                long t0 = System.nanoTime();
                engine.start(id);
                long t1 = System.nanoTime();
                engine.removeContainer(id);
                if (i >= 0) {
                    (mode.equals("none") ? starts.noneMs() : starts.bridgeMs()).add((t1 - t0) / 1e6);
                }
            }
        }
        return starts;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).strip();
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
