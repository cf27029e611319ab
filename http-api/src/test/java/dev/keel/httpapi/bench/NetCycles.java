package dev.keel.httpapi.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 5's leak check: cycles of network create → a {@code sleep} container run on it → a second container, running on
 * the default bridge, connected to it and disconnected → both containers removed (force) → network rm; then what the
 * cycles left of the netplane's kernel objects (see {@link NetplaneFootprint}) against a footprint taken before them.
 */
final class NetCycles {

    private static final List<String> SLEEP = List.of("sleep", "1000");
    private static final Duration SETTLE = Duration.ofSeconds(10);

    /**
     * @param stepsMs each step's latency in every cycle, in the cycle's order
     * @param leftovers one line per bridge, veth, namespace or iptables rule that is there after the cycles and was
     *                  not before
     */
    record Outcome(int cycles, double seconds, Map<String, List<Double>> stepsMs, List<String> leftovers) {

        double cyclesPerS() {
            return cycles / seconds;
        }
    }

    private NetCycles() {}

    static Outcome run(IsolatedKeeld keeld, int cycles) throws Exception {
        EngineApiClient engine = keeld.engine();
        NetplaneFootprint before = NetplaneFootprint.take(keeld.netplane());
        String prefix = "nb" + Long.toHexString(System.nanoTime());
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (int i = 0; i < cycles; i++) {
            String name = prefix + "-" + i;
            long t0 = System.nanoTime();
            String network = engine.createNetwork(name);
            long t1 = System.nanoTime();
            String onNetwork = engine.createContainer(IsolatedKeeld.IMAGE, SLEEP, name);
            long t2 = System.nanoTime();
            engine.start(onNetwork);
            long t3 = System.nanoTime();
            String connected = engine.createContainer(IsolatedKeeld.IMAGE, SLEEP, "default");
            engine.start(connected);
            long t4 = System.nanoTime();
            engine.connect(network, connected);
            long t5 = System.nanoTime();
            engine.disconnect(network, connected);
            long t6 = System.nanoTime();
            engine.removeContainer(onNetwork);
            engine.removeContainer(connected);
            long t7 = System.nanoTime();
            engine.removeNetwork(network);
            long t8 = System.nanoTime();
            record(steps, "network_create", t0, t1);
            record(steps, "create_on_network", t1, t2);
            record(steps, "start_on_network", t2, t3);
            record(steps, "run_on_bridge", t3, t4);
            record(steps, "connect", t4, t5);
            record(steps, "disconnect", t5, t6);
            record(steps, "remove_both", t6, t7);
            record(steps, "network_rm", t7, t8);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcome(cycles, seconds, steps, leftovers(keeld, before));
    }

    private static void record(Map<String, List<Double>> steps, String step, long from, long to) {
        steps.computeIfAbsent(step, s -> new ArrayList<>()).add((to - from) / 1e6);
    }

    /**
     * What is still there once the removals' teardown had {@link #SETTLE} to finish: a removal may answer before the
     * kernel objects are gone, and only what stays is a leak.
     */
    private static List<String> leftovers(IsolatedKeeld keeld, NetplaneFootprint before) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<String> added = NetplaneFootprint.take(keeld.netplane()).addedSince(before);
        while (!added.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            added = NetplaneFootprint.take(keeld.netplane()).addedSince(before);
        }
        return added;
    }
}
