package dev.keel.httpapi.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.actors.Engine;
import dev.keel.actors.container.Containers;
import dev.keel.actors.container.Containers.PathStat;
import dev.keel.actors.container.Containers.ResourceUsage;
import dev.keel.httpapi.route.ErrorBody;
import dev.keel.httpapi.route.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The Engine API's container inspection endpoints: top, stats, changes, export and archive (the two halves of
 * {@code docker cp}). Each decodes the request, asks {@link Containers} and encodes the answer in Docker's shapes;
 * refusals become Docker's error bodies through {@link ErrorBody}.
 */
public final class InspectionRoutes extends AllDirectives {

    /** Docker's stats interval. */
    private static final Duration STATS_INTERVAL = Duration.ofSeconds(1);
    /** Go's zero time, Docker's "read" of a container that does not run. */
    private static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final ContentType TAR = ContentTypes.create(MediaTypes.applicationBinary("x-tar", MediaTypes.NOT_COMPRESSIBLE));
    private static final String PATH_STAT_HEADER = "X-Docker-Container-Path-Stat";
    private static final HttpResponse OK_EMPTY = HttpResponse.create().withStatus(StatusCodes.OK);

    private final Containers containers;

    public InspectionRoutes(Engine engine) {
        this.containers = engine.containers();
    }

    public Route route() {
        return pathPrefix("containers", () -> pathPrefix(PathMatchers.segment(), ref -> concat(
                path("top", () -> get(() -> top(ref))),
                path("stats", () -> get(() -> stats(ref))),
                path("changes", () -> get(() -> ErrorBody.answer(() -> containers.changes(ref).thenApply(changes -> {
                    ArrayNode out = Json.MAPPER.createArrayNode();
                    changes.forEach(c -> out.addObject().put("Path", c.path()).put("Kind", c.kind().code()));
                    return Json.ok(out);
                })))),
                path("export", () -> get(() -> ErrorBody.answer(() -> containers.export(ref)
                        .thenApply(tar -> HttpResponse.create().withEntity(HttpEntities.create(TAR, tar)))))),
                path("archive", () -> parameter("path", path -> concat(
                        head(() -> ErrorBody.answer(() -> containers.statPath(ref, path)
                                .thenApply(stat -> OK_EMPTY.addHeader(pathStatHeader(stat))))),
                        get(() -> ErrorBody.answer(() -> containers.archive(ref, path).thenApply(archive -> HttpResponse.create()
                                .addHeader(pathStatHeader(archive.stat()))
                                .withEntity(HttpEntities.create(TAR, archive.tar()))))),
                        put(() -> parameterOptional("noOverwriteDirNonDir", noOverwrite ->
                                withoutSizeLimit(() -> extractEntity(entity -> ErrorBody.answer(() -> containers
                                        .extractArchive(ref, path, entity.getDataBytes(), ContainerCodec.flag(noOverwrite))
                                        .thenApply(done -> OK_EMPTY))))))))))));
    }

    private Route top(String ref) {
        return parameterOptional("ps_args", psArgs -> ErrorBody.answer(() -> containers.top(ref, psArgs.orElse(""))
                .thenApply(table -> {
                    ObjectNode out = Json.MAPPER.createObjectNode();
                    ArrayNode titles = out.putArray("Titles");
                    table.titles().forEach(titles::add);
                    ArrayNode processes = out.putArray("Processes");
                    table.processes().forEach(row -> {
                        ArrayNode fields = processes.addArray();
                        row.forEach(fields::add);
                    });
                    return Json.ok(out);
                })));
    }

    /**
     * Docker's stats: {@code stream} (the default) sends one JSON line per second until the client goes away; without
     * it one reading is sent, taken a second after the first so that {@code precpu_stats} is filled, unless
     * {@code one-shot} asks for the first at once.
     */
    private Route stats(String ref) {
        return parameterOptional("stream", stream -> parameterOptional("one-shot", oneShot -> ErrorBody.answer(() -> {
            boolean streaming = stream.map(s -> ContainerCodec.flag(Optional.of(s))).orElse(true);
            boolean once = ContainerCodec.flag(oneShot);
            return containers.stats(ref).thenApply(first -> {
                if (!streaming && once) {
                    return Json.ok(statsJson(first, Optional.empty()));
                }
                Source<ResourceUsage, NotUsed> readings = Source.single(first).concat(
                        Source.tick(STATS_INTERVAL, STATS_INTERVAL, ref)
                                .mapAsync(1, r -> containers.stats(r))
                                .mapMaterializedValue(cancellable -> NotUsed.notUsed()));
                Source<ByteString, NotUsed> pairs = readings
                        .sliding(2, 1)
                        .map(pair -> line(statsJson(pair.get(1), Optional.of(pair.get(0)))));
                // A stream starts at once with the first reading, as Docker's does; a single reading waits for its
                // predecessor.
                Source<ByteString, NotUsed> lines = streaming
                        ? Source.single(line(statsJson(first, Optional.empty()))).concat(pairs)
                        : pairs.take(1);
                return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, lines));
            });
        })));
    }

    private static ByteString line(JsonNode json) {
        return ByteString.fromString(json.toString() + "\n");
    }

    /** Docker's {@code types.StatsJSON}; a container that does not run reads as Docker's zero reading. */
    static JsonNode statsJson(ResourceUsage now, Optional<ResourceUsage> before) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("read", now.running() ? now.read().toString() : ZERO_TIME);
        out.put("preread", before.filter(ResourceUsage::running).map(b -> b.read().toString()).orElse(ZERO_TIME));
        ObjectNode pids = out.putObject("pids_stats");
        if (now.running()) {
            pids.put("current", now.pidsCurrent());
            if (now.pidsLimit() > 0) {
                pids.put("limit", now.pidsLimit());
            }
        }
        ObjectNode blkio = out.putObject("blkio_stats");
        ArrayNode ioBytes = blkio.putArray("io_service_bytes_recursive");
        now.ioServiceBytes().forEach(b -> ioBytes.addObject().put("major", b.major()).put("minor", b.minor())
                .put("op", b.op()).put("value", b.value()));
        for (String absent : List.of("io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive",
                "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive", "sectors_recursive")) {
            blkio.putNull(absent);
        }
        out.put("num_procs", 0);
        out.putObject("storage_stats");
        cpuJson(out.putObject("cpu_stats"), Optional.of(now).filter(ResourceUsage::running));
        cpuJson(out.putObject("precpu_stats"), before.filter(ResourceUsage::running));
        ObjectNode memory = out.putObject("memory_stats");
        if (now.running()) {
            memory.put("usage", now.memoryUsage()).put("max_usage", now.memoryMaxUsage());
            ObjectNode stats = memory.putObject("stats");
            now.memoryStat().forEach(stats::put);
            memory.put("failcnt", now.memoryFailcnt()).put("limit", now.memoryLimit());
        }
        out.put("name", "/" + now.name().replaceFirst("^/", ""));
        out.put("id", now.containerId());
        ObjectNode networks = out.putObject("networks");
        now.networks().forEach(n -> networks.putObject(n.interfaceName())
                .put("rx_bytes", n.rxBytes()).put("rx_packets", n.rxPackets())
                .put("rx_errors", n.rxErrors()).put("rx_dropped", n.rxDropped())
                .put("tx_bytes", n.txBytes()).put("tx_packets", n.txPackets())
                .put("tx_errors", n.txErrors()).put("tx_dropped", n.txDropped()));
        return out;
    }

    private static void cpuJson(ObjectNode cpu, Optional<ResourceUsage> reading) {
        ObjectNode usage = cpu.putObject("cpu_usage");
        usage.put("total_usage", reading.map(ResourceUsage::cpuTotalNanos).orElse(0L));
        reading.ifPresent(r -> {
            ArrayNode perCpu = usage.putArray("percpu_usage");
            r.perCpuNanos().forEach(perCpu::add);
        });
        usage.put("usage_in_kernelmode", reading.map(ResourceUsage::cpuKernelNanos).orElse(0L));
        usage.put("usage_in_usermode", reading.map(ResourceUsage::cpuUserNanos).orElse(0L));
        reading.ifPresent(r -> cpu.put("system_cpu_usage", r.systemCpuNanos()).put("online_cpus", r.onlineCpus()));
        cpu.putObject("throttling_data")
                .put("periods", reading.map(ResourceUsage::cpuPeriods).orElse(0L))
                .put("throttled_periods", reading.map(ResourceUsage::cpuThrottledPeriods).orElse(0L))
                .put("throttled_time", reading.map(ResourceUsage::cpuThrottledNanos).orElse(0L));
    }

    /** {@code X-Docker-Container-Path-Stat}: Docker's {@code ContainerPathStat} as base64 JSON, mode in Go's bits. */
    static RawHeader pathStatHeader(PathStat stat) {
        ObjectNode json = Json.MAPPER.createObjectNode()
                .put("name", stat.name())
                .put("size", stat.size())
                .put("mode", goFileMode(stat.mode()))
                .put("mtime", stat.mtime().toString())
                .put("linkTarget", stat.linkTarget());
        return RawHeader.create(PATH_STAT_HEADER,
                Base64.getEncoder().encodeToString(json.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A Unix {@code st_mode} as Go's {@code os.FileMode}, which the docker CLI decodes. */
    static long goFileMode(int unixMode) {
        long mode = unixMode & 0777;
        switch (unixMode & 0170000) {
            case 0040000 -> mode |= 1L << 31;
            case 0120000 -> mode |= 1L << 27;
            case 0010000 -> mode |= 1L << 25;
            case 0140000 -> mode |= 1L << 24;
            case 0060000 -> mode |= 1L << 26;
            case 0020000 -> mode |= (1L << 26) | (1L << 21);
            default -> { }
        }
        if ((unixMode & 04000) != 0) {
            mode |= 1L << 23;
        }
        if ((unixMode & 02000) != 0) {
            mode |= 1L << 22;
        }
        if ((unixMode & 01000) != 0) {
            mode |= 1L << 20;
        }
        return mode;
    }

}
