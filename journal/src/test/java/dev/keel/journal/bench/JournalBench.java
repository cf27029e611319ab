package dev.keel.journal.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.keel.journal.bench.BenchEntity.Command;
import org.HdrHistogram.Histogram;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * {@code bin/keel-bench journal}: persist throughput of 1,000 looping entities on the embedded journal and on
 * pekko-persistence-jdbc over an H2 file database (same process, one actor system after the other), the
 * persist latency of a single entity, the recovery and the all-events query of 1M events, the live
 * subscription's delay, and keeld's idle memory and start time. Progress goes to the output; the last line
 * is the {@link JournalBenchResult}.
 */
public final class JournalBench {

    private static final String CONFIG_RESOURCE = "bench/journal-bench.conf";

    private final JournalBenchSettings settings;
    private final Config benchConfig;
    private final Path workDir;
    private final LongSupplier nanoClock;
    private final PrintStream out;

    JournalBench(JournalBenchSettings settings, Config benchConfig, Path workDir, LongSupplier nanoClock, PrintStream out) {
        this.settings = settings;
        this.benchConfig = benchConfig;
        this.workDir = workDir;
        this.nanoClock = nanoClock;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Config benchConfig = benchConfig();
        Path workDir = Files.createTempDirectory("keel-bench-journal-");
        // Interrupted runs (Ctrl-C, SIGTERM) still stop the keeld they started and remove their data.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            try {
                deleteTree(workDir);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("keel-bench: could not remove " + workDir + ": " + e);
            }
        }, "keel-bench-cleanup"));
        int status = 1;
        try {
            new JournalBench(settings(benchConfig), benchConfig, workDir, System::nanoTime, System.out).run();
            status = 0;
        } catch (Exception e) {
            e.printStackTrace();
        } finally {
            deleteTree(workDir);
        }
        // H2 and RocksDB may leave non-daemon threads behind once their actor systems are gone.
        System.exit(status);
    }

    /** The bench's own configuration file, before system properties and the libraries' reference.conf apply. */
    static Config benchConfig() {
        return ConfigFactory.parseResources(JournalBench.class.getClassLoader(), CONFIG_RESOURCE);
    }

    static JournalBenchSettings settings(Config benchConfig) {
        return JournalBenchSettings.from(ConfigFactory.load(benchConfig).getConfig("keel.journal.bench"));
    }

    /** Runs every phase in {@code workDir} and prints the result as the last line. */
    JournalBenchResult run() throws Exception {
        out.printf(Locale.ROOT, "journal: scale=%s entities=%d warmup=%s window=%s repeats=%d%n",
            settings.scale(), settings.entities(), settings.warmup(), settings.window(), settings.repeats());
        double embedded = throughput(JournalBackend.embedded(phaseDir("throughput-embedded")));
        double h2 = throughput(JournalBackend.h2(phaseDir("throughput-h2")));
        Histogram single = singleEntityLatency();
        double liveP99Ms = liveLatencyP99Ms();
        Path loadedRoot = phaseDir("keeld-loaded");
        Path loadedJournal = loadedRoot.resolve("journal");
        writeRecoveryData(loadedJournal);
        double recoveryS = recover(loadedJournal);
        double queryS = queryAll(loadedJournal);
        Optional<Path> keeldPath = settings.keeld().filter(Files::isExecutable);
        Optional<JournalBenchResult.KeeldFigures> keeldFigures = Optional.empty();
        if (keeldPath.isPresent()) {
            try {
                keeldFigures = Optional.of(new KeeldProbe(keeldPath.get(), settings, nanoClock, out)
                    .measure(phaseDir("keeld-empty"), loadedRoot, phaseDir("keeld-run")));
            } catch (IllegalStateException keeldFailed) {
                // The journal's figures stand on their own; say why keeld's are missing instead of losing them all.
                out.println("journal: keeld could not be measured, idle_rss_mb and start_s are n/a: "
                    + keeldFailed.getMessage());
            }
        } else {
            out.println("journal: no executable keeld (" + settings.keeld().map(Path::toString).orElse("not configured")
                + "): idle_rss_mb and start_s are n/a");
        }
        JournalBenchResult result = new JournalBenchResult(embedded, h2, single.getValueAtPercentile(50) / 1e6,
            single.getValueAtPercentile(99) / 1e6, recoveryS, queryS, liveP99Ms, keeldFigures);
        out.println(result.line());
        return result;
    }

    /** Median persisted events/s of the 1,000-entity loop over the measured windows, after the warm-up. */
    private double throughput(JournalBackend backend) throws Exception {
        double[] eventsPerS = new double[settings.repeats()];
        try (BenchSystem system = system(backend)) {
            LoadProbe probe = new LoadProbe(AcknowledgementListener.NONE);
            startLoad(system, probe, "load-");
            warmUp(probe);
            for (int i = 0; i < eventsPerS.length; i++) {
                long countBefore = probe.acknowledgedCount();
                long startNs = nanoClock.getAsLong();
                await(settings.window());
                long elapsedNs = nanoClock.getAsLong() - startNs;
                eventsPerS[i] = (probe.acknowledgedCount() - countBefore) * 1e9 / elapsedNs;
                out.printf(Locale.ROOT, "journal: %s window %d: %.0f events/s%n", backend.name(), i + 1, eventsPerS[i]);
            }
            probe.stop();
        }
        double median = median(eventsPerS);
        out.printf(Locale.ROOT, "journal: %s median %.0f events/s%n", backend.name(), median);
        return median;
    }

    /** Round trips of one persist at a time on one entity, the first tenth discarded as warm-up. */
    private Histogram singleEntityLatency() throws Exception {
        Histogram latencyNs = new Histogram(3);
        int warmup = Math.max(1, settings.singleEvents() / 10);
        try (BenchSystem system = system(JournalBackend.embedded(phaseDir("single")))) {
            ActorRef<Command> entity = await(system.spawn(
                BenchEntity.create("single-", 0, settings.eventBytes()), "single"));
            for (int i = 0; i < warmup + settings.singleEvents(); i++) {
                long startNs = nanoClock.getAsLong();
                await(system.<Command, Long>ask(entity, BenchEntity.PersistOne::new));
                if (i >= warmup) {
                    latencyNs.recordValue(nanoClock.getAsLong() - startNs);
                }
            }
        }
        out.printf(Locale.ROOT, "journal: single entity %d persists p50=%.3f ms p99=%.3f ms max=%.3f ms%n",
            latencyNs.getTotalCount(), latencyNs.getValueAtPercentile(50) / 1e6,
            latencyNs.getValueAtPercentile(99) / 1e6, latencyNs.getMaxValue() / 1e6);
        return latencyNs;
    }

    /** p99 from acknowledgement to live delivery while the 1,000-entity loop runs on a fresh journal. */
    private double liveLatencyP99Ms() throws Exception {
        Histogram latencyNs;
        try (BenchSystem system = system(JournalBackend.embedded(phaseDir("live")))) {
            LiveLatency live = new LiveLatency(nanoClock);
            UniqueKillSwitch subscription = AllEventsFeed.of(system.system()).live()
                .viaMat(KillSwitches.single(), Keep.right())
                .to(Sink.foreach(envelope -> {
                    if (envelope.event() instanceof BenchEntity.Persisted persisted) {
                        live.onDelivered(persisted.entity(), persisted.number());
                    }
                }))
                .run(system.system());
            LoadProbe probe = new LoadProbe(live);
            startLoad(system, probe, "live-");
            warmUp(probe);
            live.startRecording();
            await(settings.window());
            latencyNs = live.stopRecording();
            probe.stop();
            subscription.shutdown();
        }
        if (latencyNs.getTotalCount() == 0) {
            throw new IllegalStateException("no event reached the live all-events subscription during the window");
        }
        out.printf(Locale.ROOT, "journal: live subscription %d events p50=%.3f ms p99=%.3f ms max=%.3f ms%n",
            latencyNs.getTotalCount(), latencyNs.getValueAtPercentile(50) / 1e6,
            latencyNs.getValueAtPercentile(99) / 1e6, latencyNs.getMaxValue() / 1e6);
        return latencyNs.getValueAtPercentile(99) / 1e6;
    }

    private void writeRecoveryData(Path journalDir) throws Exception {
        long startNs = nanoClock.getAsLong();
        try (BenchSystem system = system(JournalBackend.embedded(journalDir))) {
            await(Source.range(0, settings.recoveryEntities() - 1)
                .mapAsyncUnordered(settings.recoveryParallelism(), i ->
                    system.spawn(BenchEntity.create("recovered-", i, settings.eventBytes()), "fill-" + i)
                        .thenCompose(entity -> system.<Command, Done>ask(entity,
                                replyTo -> new BenchEntity.Fill(settings.recoveryEventsPerEntity(), replyTo))
                            .thenApply(done -> passivate(entity))))
                .runWith(Sink.ignore(), system.system()));
        }
        out.printf(Locale.ROOT, "journal: wrote %d entities x %d events in %.2f s%n", settings.recoveryEntities(),
            settings.recoveryEventsPerEntity(), (nanoClock.getAsLong() - startNs) / 1e9);
    }

    /** Seconds for a fresh actor system on the loaded journal to recover every entity, counting their events. */
    private double recover(Path journalDir) throws Exception {
        long startNs = nanoClock.getAsLong();
        long recovered;
        try (BenchSystem system = system(JournalBackend.embedded(journalDir))) {
            recovered = await(Source.range(0, settings.recoveryEntities() - 1)
                .mapAsyncUnordered(settings.recoveryParallelism(), i ->
                    system.spawn(BenchEntity.create("recovered-", i, settings.eventBytes()), "recover-" + i)
                        .thenCompose(entity -> system.<Command, Long>ask(entity, BenchEntity.GetEventCount::new)
                            .thenApply(events -> {
                                passivate(entity);
                                return events;
                            })))
                .runFold(0L, Long::sum, system.system()));
        }
        double seconds = (nanoClock.getAsLong() - startNs) / 1e9;
        requireAll("recovered", recovered);
        out.printf(Locale.ROOT, "journal: recovered %d entities (%d events) in %.2f s%n",
            settings.recoveryEntities(), recovered, seconds);
        return seconds;
    }

    /** Seconds to read every event of the loaded journal through the current all-events query, from offset 0. */
    private double queryAll(Path journalDir) throws Exception {
        long startNs;
        long read;
        try (BenchSystem system = system(JournalBackend.embedded(journalDir))) {
            startNs = nanoClock.getAsLong();
            read = await(AllEventsFeed.of(system.system()).current()
                .runFold(0L, (count, envelope) -> count + 1, system.system()));
        }
        double seconds = (nanoClock.getAsLong() - startNs) / 1e9;
        requireAll("queried", read);
        out.printf(Locale.ROOT, "journal: queried %d events in %.2f s%n", read, seconds);
        return seconds;
    }

    private void startLoad(BenchSystem system, LoadProbe probe, String persistenceIdPrefix) throws Exception {
        for (int i = 0; i < settings.entities(); i++) {
            ActorRef<Command> entity = await(system.spawn(
                BenchEntity.create(persistenceIdPrefix, i, settings.eventBytes()), persistenceIdPrefix + i));
            entity.tell(new BenchEntity.Drive(probe));
        }
    }

    /** The warm-up lasts its configured span and at least until the load has persisted once per entity. */
    private void warmUp(LoadProbe probe) {
        await(settings.warmup());
        long deadlineNs = nanoClock.getAsLong() + settings.phaseTimeout().toNanos();
        while (probe.acknowledgedCount() < settings.entities()) {
            if (nanoClock.getAsLong() > deadlineNs) {
                throw new IllegalStateException("the load persisted " + probe.acknowledgedCount() + " events within "
                    + settings.phaseTimeout() + ", fewer than one per entity");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static Done passivate(ActorRef<Command> entity) {
        entity.tell(new BenchEntity.Passivate());
        return Done.getInstance();
    }

    private void requireAll(String what, long events) {
        if (events != settings.recoveryEvents()) {
            throw new IllegalStateException(what + " " + events + " events, expected " + settings.recoveryEvents());
        }
    }

    private BenchSystem system(JournalBackend backend) {
        return new BenchSystem("keel-bench-" + backend.name(),
            ConfigFactory.load(backend.config().withFallback(benchConfig)), settings.askTimeout());
    }

    private Path phaseDir(String name) throws IOException {
        return Files.createDirectories(workDir.resolve(name));
    }

    private <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(settings.phaseTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A measurement window is a span of time, so waiting it out is the measurement, not a synchronisation. */
    private void await(Duration span) {
        long deadlineNs = nanoClock.getAsLong() + span.toNanos();
        for (long leftNs = span.toNanos(); leftNs > 0; leftNs = deadlineNs - nanoClock.getAsLong()) {
            LockSupport.parkNanos(leftNs);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
